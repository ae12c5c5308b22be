"""The test OpenID Connect provider (op/provider.mjs, panva's oidc-provider) and a browser for it.

One provider process per test worker, on a free loopback port, killed at the end of the session.
``npm ci`` installs it from the committed lock file the first time (``make psc-test-provider`` does
the same); once installed nothing is fetched again.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from django.test import Client

OP_DIR = Path(__file__).resolve().parent / "op"
CLIENT_ID = "egide-cabinet-des-lilas"
CLIENT_SECRET = "secret-du-client-de-test-7f3a9c"
CALLBACK_PATH = "/psc/retour/"
REDIRECT_URI = "http://localhost" + CALLBACK_PATH
START_TIMEOUT_SECONDS = 30
# "8" + an RPPS number passing the Luhn check (egide.psc.rpps).
RPPS = "10000000009"
NATIONAL_ID = "8" + RPPS
UNKNOWN_RPPS = "10001234565"


def _install() -> None:
    if (OP_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    with (OP_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test workers: one installs, the other waits
        if not (OP_DIR / "node_modules" / "oidc-provider").is_dir():
            npm = shutil.which("npm") or "npm"
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=OP_DIR, check=True)


@dataclass(frozen=True)
class OidcProvider:
    issuer: str

    def next_login(
        self, *, national_id: str = NATIONAL_ID, acr: str = "eidas1", forge_signature: bool = False
    ) -> None:
        """What the provider's next login gives: whose card, which ``acr``, signed by whom."""
        response = requests.post(
            f"{self.issuer}/_test/next-login",
            json={"subjectNameId": national_id, "acr": acr, "forgeSignature": forge_signature},
            timeout=10,
        )
        response.raise_for_status()


@contextmanager
def provider_process(redirect_uri: str = REDIRECT_URI) -> Iterator[OidcProvider]:
    _install()
    node = shutil.which("node") or "node"
    process = subprocess.Popen(
        [node, "provider.mjs", CLIENT_ID, CLIENT_SECRET, redirect_uri],
        cwd=OP_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("le fournisseur OpenID Connect de test n'a pas démarré")
        yield OidcProvider(issuer=json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


def provider_round_trip(client: Client, start_url: str) -> str:
    """Follow the person through the provider: our redirect, its interaction, back to our callback.

    Returns the callback's path and query (what the browser would open on Égide)."""
    started = client.get(start_url)
    assert started.status_code == 302, started.content
    url = str(started["Location"])
    browser = requests.Session()  # the provider's cookies, as the person's browser would keep them
    for _hop in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        assert answer.status_code in {302, 303}, answer.text
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(REDIRECT_URI):
            return url.removeprefix("http://localhost")
    raise AssertionError("the provider never sent the browser back")
