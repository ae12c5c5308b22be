"""Sensitive actions ask again for the password and the second factor after EGIDE_REAUTH_MINUTES."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import log_in_verified, totp_code, totp_device_for
from egide.core.tests.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.urls("egide.accounts.tests.reauth_urls")


def test_it_opens_the_sensitive_action_right_after_login(client: Client, practitioner: User) -> None:
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False):
        log_in_verified(client, practitioner)
        assert client.get("/sensible/").content == b"action sensible"


def test_it_refuses_an_expired_authentication_until_both_factors_are_proven_again(
    client: Client, practitioner: User
) -> None:
    device = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False) as clock:
        log_in_verified(client, practitioner)
        clock.shift(5 * 60)
        assert client.get("/").status_code == 200
        clock.shift(6 * 60)  # 11 minutes after the login: beyond the 10 of EGIDE_REAUTH_MINUTES
        refused = client.get("/sensible/")
        assert refused["Location"] == "/reauthentification/?next=/sensible/"
        wrong = client.post(
            "/reauthentification/",
            {"password": "pas-le-bon-mot-de-passe", "code": totp_code(device), "next": "/sensible/"},
        )
        assert wrong.status_code == 200
        assert client.get("/sensible/").status_code == 302
        clock.shift(31)  # a fresh code of the next step
        confirmed = client.post(
            "/reauthentification/",
            {"password": PERSONA_PASSWORD, "code": totp_code(device), "next": "/sensible/"},
        )
        assert confirmed["Location"] == "/sensible/"
        assert client.get("/sensible/").content == b"action sensible"


def test_it_refuses_a_foreign_next_address(client: Client, practitioner: User) -> None:
    device = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False):
        log_in_verified(client, practitioner)
        response = client.post(
            "/reauthentification/",
            {"password": PERSONA_PASSWORD, "code": totp_code(device), "next": "https://evil.example/"},
        )
    assert response["Location"] == "/"
