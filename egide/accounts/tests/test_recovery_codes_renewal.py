"""New recovery codes are a second-factor change: re-authentication first, old codes void after."""

from __future__ import annotations

import time_machine
from django.test import Client

from egide.accounts.models import RecoveryCode, User
from egide.accounts.second_factor import recovery_codes_regenerate
from egide.accounts.tests.logins import log_in_verified


def test_it_asks_for_a_recent_authentication(client: Client, practitioner: User) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        log_in_verified(client, practitioner)
        clock.shift(11 * 60)
        assert client.post("/codes-de-secours/")["Location"] == "/reauthentification/?next=/codes-de-secours/"
    assert not RecoveryCode.objects.filter(device__user=practitioner).exists()


def test_new_codes_replace_the_old_ones(client: Client, practitioner: User) -> None:
    old_codes = recovery_codes_regenerate(user=practitioner)
    log_in_verified(client, practitioner)
    assert client.get("/codes-de-secours/").context["codes_left"] == 10
    new_codes = client.post("/codes-de-secours/").context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert RecoveryCode.objects.filter(device__user=practitioner).count() == 10
