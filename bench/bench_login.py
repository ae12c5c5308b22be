"""Login timing (issue 5 item 4 and "Done when"): an unknown account and a wrong password must take
the same time, or the login page tells which accounts exist.

Measured with the production password hasher (Argon2id, as in ``egide/settings.py``; the tests use
MD5), through the whole middleware stack with Django's test client, on a temporary SQLite. Each try
is a login POST; the two cases alternate (so a drift of the machine hits both alike) and the
throttling counters are cleared before each, outside the timed part, so that neither a progressive
delay nor a lock answers instead of the password check. The figure is the difference between the
two medians of ``TRIES`` tries each, relative to the wrong password's.

Runs in a child process, as bench_vault does: settings are read once per process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure

TRIES = 50
WARM_UP = 3
PASSWORD = "Tilleul-7-Lilas-Port!"  # noqa: S105  # a bench account's, in a throwaway database
WRONG = "Mauvais-mot-de-passe-42"
PRODUCTION_HASHER = "django.contrib.auth.hashers.Argon2PasswordHasher"


def _setup(directory: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    os.environ["EGIDE_DATA_DIR"] = str(directory / "data")
    os.environ["EGIDE_KEY_DIR"] = str(directory / "keys")
    os.environ["EGIDE_AUDIT_HEADS_DIR"] = str(directory / "heads")
    # Set, not defaulted: a configured PostgreSQL or sealed key provider must never receive bench data.
    os.environ["EGIDE_KEY_PROVIDER"] = "file"
    os.environ.pop("EGIDE_DATABASE_URL", None)
    os.environ.setdefault("EGIDE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # The production hasher, whatever the environment says: the figure is about Argon2id's cost.
    settings.PASSWORD_HASHERS = [PRODUCTION_HASHER]
    Path(settings.DATA_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(settings.KEY_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)


def _timed_post(username: str) -> float:
    from django.test import Client

    from egide.accounts.models import LoginThrottle

    LoginThrottle.objects.all().delete()
    client = Client(HTTP_HOST="localhost")  # one of the default EGIDE_ALLOWED_HOSTS
    started = time.perf_counter()
    response = client.post("/connexion/", {"username": username, "password": WRONG})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:  # a refusal (429) would not run the hasher
        raise RuntimeError(f"login answered {response.status_code}, expected the form again (200)")
    return elapsed


def measure() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="egide-bench-login-") as directory:
        _setup(Path(directory))
        from egide.accounts.models import Role
        from egide.accounts.services import practice_create, user_create

        practice = practice_create(name="Cabinet du banc")
        user_create(
            practice=practice,
            username="dr.banc",
            password=PASSWORD,
            roles=[Role.PRATICIEN],
            first_name="Banc",
            must_change_password=False,
        )
        for _ in range(WARM_UP):
            _timed_post("dr.banc")
            _timed_post("dr.inconnu")
        wrong, unknown = [], []
        for _ in range(TRIES):
            wrong.append(_timed_post("dr.banc"))
            unknown.append(_timed_post("dr.inconnu"))
        wrong_ms, unknown_ms = 1000 * statistics.median(wrong), 1000 * statistics.median(unknown)
        return [
            Figure(f"connexion, mauvais mot de passe (médiane de {TRIES})", wrong_ms, "ms", "référence"),
            Figure(f"connexion, compte inconnu (médiane de {TRIES})", unknown_ms, "ms", "référence"),
            Figure(
                "  écart inconnu / mauvais mot de passe",
                100 * abs(unknown_ms - wrong_ms) / wrong_ms,
                "%",
                "< 10 %",
            ),
        ]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="egide-bench-login-out-") as directory:
        output = Path(directory) / "figures.json"
        subprocess.run(  # noqa: S603  # this same interpreter, this module
            [sys.executable, "-m", "bench.bench_login", "--json", str(output)],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        return [Figure(*row) for row in json.loads(output.read_text())]


if __name__ == "__main__":
    figures = measure()
    if sys.argv[1:2] == ["--json"]:
        Path(sys.argv[2]).write_text(json.dumps([list(figure) for figure in figures]))
    else:
        for figure in figures:
            print(f"  {figure.name:<55} {figure.value:>12.3f} {figure.unit:<10} (objectif : {figure.goal})")
