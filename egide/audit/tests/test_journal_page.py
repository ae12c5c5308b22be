from __future__ import annotations

import csv
import io
import time

import pytest
from django.test import Client
from django.urls import reverse

from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import Practice, User
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(practitioner: User, practitioner2: User, outsider: User) -> None:
    audit_record(action=Action.ACCOUNT_CHANGED, actor=practitioner, patient_id="pat-lilas-1")
    audit_record(action=Action.ROLE_GRANTED, actor=practitioner2, patient_id="pat-lilas-2")
    audit_record(action=Action.ACCOUNT_CHANGED, actor=outsider, patient_id="pat-port-1")


def rows(client: Client, **query: str) -> list[str]:
    response = client.get(reverse("audit:journal"), query)
    assert response.status_code == 200
    body = response.content.decode()
    return [patient for patient in ("pat-lilas-1", "pat-lilas-2", "pat-port-1") if patient in body]


@pytest.mark.parametrize("persona", ["dpo", "admin_user"])
def test_it_shows_the_dpo_and_the_admin_their_practice_only(
    client: Client, events: None, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert rows(client) == ["pat-lilas-1", "pat-lilas-2"]


@pytest.mark.parametrize("persona", ["practitioner", "secretary", "outsider"])
def test_it_answers_other_roles_as_a_missing_page(
    client: Client, events: None, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit:journal")).status_code == 404
    assert client.get(reverse("audit:export")).status_code == 404


def test_it_filters_by_user_action_and_patient(
    client: Client, events: None, dpo: User, practitioner2: User
) -> None:
    client.force_login(dpo)
    assert rows(client, actor=str(practitioner2.id)) == ["pat-lilas-2"]
    assert rows(client, action=Action.ACCOUNT_CHANGED) == ["pat-lilas-1"]
    assert rows(client, patient="pat-lilas-2") == ["pat-lilas-2"]
    assert rows(client, start="2000-01-01", end="2000-01-31") == []


def test_it_ignores_another_practice_s_user_in_the_filter(
    client: Client, events: None, dpo: User, outsider: User
) -> None:
    client.force_login(dpo)
    assert rows(client, actor=str(outsider.id)) == ["pat-lilas-1", "pat-lilas-2"]  # invalid choice


def test_it_exports_the_filtered_view_and_records_the_export(
    client: Client, events: None, admin_user: User, practice: Practice
) -> None:
    client.force_login(admin_user)
    response = client.get(reverse("audit:export"), {"patient": "pat-lilas-1"})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["patient_id"] for row in table] == ["pat-lilas-1"]
    export = Event.objects.get(action=Action.JOURNAL_EXPORTED)
    assert (export.actor_id, export.practice_id, export.subject_id) == (
        str(admin_user.id),
        str(practice.id),
        "1",
    )
    assert "patient=pat-lilas-1" in export.justification


def test_it_shows_the_last_verification_and_head(client: Client, dpo: User) -> None:
    client.force_login(dpo)
    response = client.get(reverse("audit:journal"))
    assert b'data-testid="verification-state"' in response.content
    assert b'data-testid="head-state"' in response.content


def test_it_neutralises_formulas_in_the_export(client: Client, admin_user: User) -> None:
    audit_record(action=Action.ACCOUNT_CHANGED, actor=admin_user, actor_label="=HYPERLINK(1)")
    client.force_login(admin_user)
    response = client.get(reverse("audit:export"))
    labels = [row["actor_label"] for row in csv.DictReader(io.StringIO(response.content.decode()))]
    assert "'=HYPERLINK(1)" in labels


def test_it_asks_to_authenticate_again_before_an_export(client: Client, dpo: User) -> None:
    client.force_login(dpo)
    session = client.session
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = time.time() - 3600
    session.save()
    assert client.get(reverse("audit:journal")).status_code == 200  # reading: fine
    response = client.get(reverse("audit:export"), {"patient": "pat-lilas-1"})
    assert response.status_code == 302
    assert not Event.objects.filter(action=Action.JOURNAL_EXPORTED).exists()
