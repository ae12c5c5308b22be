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

import statistics
import tempfile
import time
from pathlib import Path

from bench import Figure
from bench.child import child_main, figures_from_child, installation_setup

TRIES = 50
WARM_UP = 3
PASSWORD = "Tilleul-7-Lilas-Port!"  # noqa: S105  # a bench account's, in a throwaway database
WRONG = "Mauvais-mot-de-passe-42"
PRODUCTION_HASHER = "django.contrib.auth.hashers.Argon2PasswordHasher"


def _setup(directory: Path) -> None:
    installation_setup(directory, keys=False)
    from django.conf import settings

    # The production hasher, whatever the environment says: the figure is about Argon2id's cost.
    settings.PASSWORD_HASHERS = [PRODUCTION_HASHER]


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
    return figures_from_child("bench.bench_login")


if __name__ == "__main__":
    child_main(measure)
