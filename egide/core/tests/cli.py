"""Run the real `egide` command in a subprocess, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
from psycopg import sql


def _fresh_postgresql_database(url: str) -> str:
    """A new empty database on the test run's PostgreSQL cluster, so each installation starts blank."""
    name = f"egide_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.rsplit("/", 1)[0] + "/" + name


def operator_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of an operator installing Égide afresh: no EGIDE_* variable but its own
    data and key directories and, in the PostgreSQL run, its own empty database."""
    # DJANGO_ALLOW_ASYNC_UNSAFE belongs to the browser fixture of this test process only.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("EGIDE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(EGIDE_DATA_DIR=str(tmp_path / "data"), EGIDE_KEY_DIR=str(tmp_path / "keys"))
    if database_url := os.environ.get("EGIDE_DATABASE_URL"):
        env["EGIDE_DATABASE_URL"] = _fresh_postgresql_database(database_url)
    env.update(extra)
    return env


def egide_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "egide", *args]


def run_egide(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        egide_command(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )
