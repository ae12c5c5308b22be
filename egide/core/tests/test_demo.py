"""`make demo`: a French login page where the printed credentials log in (then are replaced and a
second factor enrolled, as at any first login); data kept on re-run."""

from __future__ import annotations

import base64
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

from django_otp.oath import totp

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


NEW_PASSWORD = "Marronnier-42-Quai-Rose!"
TOTP_SECRET = re.compile(r'data-testid="totp-secret">([A-Z2-7]+)<')


def _post(opener: urllib.request.OpenerDirector, url: str, page: str, fields: dict[str, str]) -> str:
    token = CSRF_FIELD.search(page)
    assert token is not None
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields}).encode()
    request = urllib.request.Request(url, data=form, headers={"Referer": url})
    return str(opener.open(request).read().decode())


def log_in(base: str, username: str, password: str) -> str:
    """A first login through the real forms (password, new password, authenticator application);
    returns the page shown at the end."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login_page = opener.open(f"{base}/connexion/").read().decode()
    assert '<html lang="fr">' in login_page
    assert "Connexion à Égide" in login_page
    change_page = _post(
        opener, f"{base}/connexion/", login_page, {"username": username, "password": password, "next": "/"}
    )
    enrol_page = _post(
        opener,
        f"{base}/mot-de-passe/",
        change_page,
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    secret = TOTP_SECRET.search(enrol_page)
    assert secret is not None, "the demo accounts enrol their second factor at first login"
    padded = secret.group(1) + "=" * (-len(secret.group(1)) % 8)
    _post(
        opener, f"{base}/connexion/activation/", enrol_page, {"code": f"{totp(base64.b32decode(padded)):06d}"}
    )
    return str(opener.open(f"{base}/").read().decode())


def test_the_demo_serves_a_french_login_where_printed_credentials_work(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    first = run_egide("demo", "--patients", "12", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "12 patients fictifs créés" in first.stdout
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
