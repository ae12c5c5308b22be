"""`make demo`: a French login page where the printed credentials log in; data kept on re-run."""

from __future__ import annotations

import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from egide.core.demo import DEMO_PRACTICE_NAME
from egide.core.tests.cli import egide_command, operator_env, run_egide

ACCOUNT_LINE = re.compile(r"^\s+(\S+)\s+(\S+)\s+\((.+)\)$", re.MULTILINE)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        egide_command("serve", "--port", str(port)),
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    try:
        while True:  # wait for the port to accept connections, bounded by the deadline
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("egide serve did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.communicate(timeout=30)


def log_in(base: str, username: str, password: str) -> str:
    """Log in through the real form; returns the page shown after login."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login_page = opener.open(f"{base}/connexion/").read().decode()
    assert '<html lang="fr">' in login_page
    assert "Connexion à Égide" in login_page
    token = CSRF_FIELD.search(login_page)
    assert token is not None
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": "/"}
    ).encode()
    request = urllib.request.Request(
        f"{base}/connexion/", data=form, headers={"Referer": f"{base}/connexion/"}
    )
    return str(opener.open(request).read().decode())


def test_the_demo_serves_a_french_login_where_printed_credentials_work(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    first = run_egide("demo", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    accounts = {user: password for user, password, _roles in ACCOUNT_LINE.findall(first.stdout)}
    assert set(accounts) == {"dr.martin", "dr.bernard", "secretariat", "dpo", "admin"}

    with served(env, tmp_path) as base:
        dashboard = log_in(base, "dr.martin", accounts["dr.martin"])
    assert DEMO_PRACTICE_NAME in dashboard
    assert "Bienvenue, Claire Martin (dr.martin)." in dashboard

    again = run_egide("demo", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Démonstration existante conservée" in again.stdout
    assert accounts["dr.martin"] not in again.stdout
    with served(env, tmp_path) as base:
        assert DEMO_PRACTICE_NAME in log_in(base, "secretariat", accounts["secretariat"])
