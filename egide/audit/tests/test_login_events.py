from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_records_a_login_with_the_request_context(client: Client, practitioner: User) -> None:
    client.post(
        reverse("accounts:login"),
        {"username": "dr.martin", "password": PERSONA_PASSWORD},
        REMOTE_ADDR="198.51.100.4",
    )
    event = Event.objects.get(action=Action.LOGIN_SUCCEEDED)
    assert (event.actor_id, event.practice_id) == (str(practitioner.id), str(practitioner.practice_id))
    assert event.source_ip == "198.51.100.4"
    assert len(event.request_id) == 32


def test_it_records_a_failed_login_against_the_account(client: Client, practitioner: User) -> None:
    client.post(reverse("accounts:login"), {"username": "dr.martin", "password": "wrong"})
    event = Event.objects.get(action=Action.LOGIN_FAILED)
    assert (event.actor_id, event.outcome) == (str(practitioner.id), Outcome.FAILURE)


def test_it_keeps_nothing_typed_for_an_unknown_username(client: Client, practitioner: User) -> None:
    typed = "Tilleul-7-secret"  # a password typed into the username field
    client.post(reverse("accounts:login"), {"username": typed, "password": "x"})
    event = Event.objects.get(action=Action.LOGIN_FAILED)
    assert event.actor_id == event.actor_label == event.subject_id == ""
    stored = " ".join(str(value) for value in Event.objects.values_list().get(id=event.id))
    assert typed not in stored


def test_it_records_a_logout(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    client.post(reverse("accounts:logout"))
    assert Event.objects.get(action=Action.LOGOUT).actor_id == str(practitioner.id)
