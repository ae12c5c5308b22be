"""Every failed step of a login leaves an event in the journal: password, second factor, lock."""

from __future__ import annotations

import pytest
from django.test import Client

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import user_create
from egide.accounts.tests.logins import totp_code, totp_device_for
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.mfa.models import SealedTOTPDevice

# Enrolment seals the TOTP secret under the installation's keys.
pytestmark = pytest.mark.usefixtures("keys")

NEW_PASSWORD = "Marronnier-42-Quai-Rose!"


def test_a_wrong_second_factor_code_is_recorded(client: Client, practitioner: User) -> None:
    device = totp_device_for(practitioner)
    client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    client.post("/connexion/second-facteur/", {"code": wrong})
    event = Event.objects.get(action=Action.LOGIN_FAILED, subject_type="second-factor")
    assert event.outcome == Outcome.FAILURE
    assert event.actor_id == str(practitioner.pk)
    assert wrong not in str(Event.objects.values())


def test_a_changed_password_and_an_enrolment_are_recorded(client: Client, practice: Practice) -> None:
    user = user_create(
        practice=practice, username="dr.neuf", password=PERSONA_PASSWORD, roles=[Role.PRATICIEN]
    )
    client.post("/connexion/", {"username": "dr.neuf", "password": PERSONA_PASSWORD})
    client.post(
        "/mot-de-passe/",
        {"old_password": PERSONA_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    client.get("/connexion/activation/")
    client.post("/connexion/activation/", {"code": totp_code(SealedTOTPDevice.objects.get(user=user))})
    changes = Event.objects.filter(action=Action.ACCOUNT_CHANGED, actor_id=str(user.pk))
    assert set(changes.values_list("subject_type", flat=True)) == {"password"}
    enrolment = Event.objects.get(action=Action.TOTP_ENROLLED, actor_id=str(user.pk))
    assert enrolment.subject_type == "second-factor"
