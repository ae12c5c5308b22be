"""A TOTP code opens one session only: the same code cannot be replayed (TOTPDevice.last_t)."""

from __future__ import annotations

import time_machine
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import totp_code, totp_device_for
from egide.core.tests.personas import PERSONA_PASSWORD


def _password_step(client: Client) -> None:
    response = client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
    assert response["Location"] == "/connexion/second-facteur/"


def test_it_refuses_a_code_seen_once_already(practitioner: User) -> None:
    device = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False):
        first, second = Client(), Client()
        _password_step(first)
        code = totp_code(device)
        assert first.post("/connexion/second-facteur/", {"code": code})["Location"] == "/"
        _password_step(second)
        replay = second.post("/connexion/second-facteur/", {"code": code})
        assert replay.status_code == 200
        assert 'id="id_code"' in replay.content.decode()
        assert second.get("/")["Location"] == "/connexion/second-facteur/"


def test_it_accepts_one_step_of_clock_drift_but_not_two(practitioner: User) -> None:
    device = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False) as clock:
        late, far = Client(), Client()
        _password_step(far)
        assert (
            far.post("/connexion/second-facteur/", {"code": totp_code(device, steps_ahead=2)}).status_code
            == 200
        )
        clock.shift(2)  # django-otp's own delay after a wrong code; still the same 30-second step
        _password_step(late)
        accepted = late.post("/connexion/second-facteur/", {"code": totp_code(device, steps_ahead=1)})
    assert accepted["Location"] == "/"
