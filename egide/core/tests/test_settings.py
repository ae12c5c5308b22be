"""The settings module, evaluated afresh under a given environment."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

import egide

SETTINGS_FILE = Path(egide.__file__).parent / "settings.py"


def load_settings(monkeypatch: pytest.MonkeyPatch, cwd: Path, **env: str) -> dict[str, Any]:
    for name in list(os.environ):
        if name.startswith("EGIDE_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cwd)
    return runpy.run_path(str(SETTINGS_FILE))


def test_it_runs_with_no_variable_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = load_settings(monkeypatch, tmp_path)
    database = conf["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "data" / "egide.sqlite3")
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] > 0
    assert conf["DEBUG"] is False
    assert conf["KEY_DIR"] == tmp_path / "var" / "keys"
    assert conf["SECRET_KEY_EPHEMERAL"] is True
    assert conf["LANGUAGE_CODE"] == "fr"


def test_it_switches_to_postgresql_with_one_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = load_settings(monkeypatch, tmp_path, EGIDE_DATABASE_URL="postgres://egide:pw@db.local:5433/egide")
    database = conf["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.local", 5433, "egide")


def test_it_reads_the_secret_key_written_by_init(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "secret_key").write_text("k" * 20 + "0123456789abcdefghijklmnopqrstuv\n")
    conf = load_settings(monkeypatch, tmp_path, EGIDE_KEY_DIR=str(keys))
    assert conf["SECRET_KEY"] == "k" * 20 + "0123456789abcdefghijklmnopqrstuv"
    assert conf["SECRET_KEY_EPHEMERAL"] is False


def test_it_turns_on_https_protections_with_egide_tls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conf = load_settings(monkeypatch, tmp_path, EGIDE_TLS="1")
    assert conf["SESSION_COOKIE_SECURE"] and conf["CSRF_COOKIE_SECURE"] and conf["LANGUAGE_COOKIE_SECURE"]
    assert conf["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert conf["SECURE_SSL_REDIRECT"] is True
    assert conf["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_it_keeps_argon2id_as_the_password_hasher(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conf = load_settings(monkeypatch, tmp_path)
    assert conf["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_refuses_a_malformed_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="EGIDE_DEBUG"):
        load_settings(monkeypatch, tmp_path, EGIDE_DEBUG="peut-être")
    with pytest.raises(ImproperlyConfigured, match="EGIDE_SESSION_IDLE_MINUTES"):
        load_settings(monkeypatch, tmp_path, EGIDE_SESSION_IDLE_MINUTES="0")
