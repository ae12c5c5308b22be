"""Recovery codes: shown once at enrolment, stored hashed, each accepted once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egide.accounts.models import RecoveryCode, User
from egide.accounts.tests.logins import totp_code
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.mfa.models import SealedTOTPDevice

# Enrolment seals the TOTP secret under the installation's keys.
pytestmark = pytest.mark.usefixtures("keys")

CODE = re.compile(r"<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>")


def _enrol(client: Client, user: User) -> list[str]:
    client.post("/connexion/", {"username": user.username, "password": PERSONA_PASSWORD})
    client.get("/connexion/activation/")
    device = SealedTOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/connexion/activation/", {"code": totp_code(device)})
    return CODE.findall(page.content.decode())


def test_it_shows_ten_codes_once_and_keeps_only_their_hashes(client: Client, practitioner: User) -> None:
    codes = _enrol(client, practitioner)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(device__user=practitioner).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest or code in digest for code in codes for digest in stored)


def test_a_recovery_code_works_once(practitioner: User) -> None:
    codes = _enrol(Client(), practitioner)
    first, second = Client(), Client()
    for session in (first, second):
        session.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
    # Typed in lower case, without dashes: still the same code.
    typed = codes[0].lower().replace("-", "")
    assert first.post("/connexion/second-facteur/", {"code": typed})["Location"] == "/"
    again = second.post("/connexion/second-facteur/", {"code": codes[0]})
    assert again.status_code == 200
    assert second.get("/")["Location"] == "/connexion/second-facteur/"
    second_try = second.post("/connexion/second-facteur/", {"code": codes[1]})
    assert second_try.status_code in {200, 302}  # django-otp may ask to wait after the refused code
