from __future__ import annotations

import hashlib

import pytest
from django.db import connection, transaction
from django.test import RequestFactory

from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.context import context_from_request, request_context
from egide.audit.models import Event
from egide.audit.services import audit_record
from egide.audit.tests.journal import raw

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_it_rolls_back_with_the_action_it_records(practitioner: User) -> None:
    before = Event.objects.count()

    def account_change_that_fails() -> None:
        with transaction.atomic():
            audit_record(
                action=Action.ACCOUNT_CHANGED, actor=practitioner, subject_type="account", subject_id=1
            )
            raise Boom

    with pytest.raises(Boom):
        account_change_that_fails()
    assert Event.objects.count() == before


def test_it_commits_with_the_action_it_records(practitioner: User) -> None:
    with transaction.atomic():
        event = audit_record(action=Action.ACCOUNT_CHANGED, actor=practitioner, patient_id="p-42")
    stored = Event.objects.get(id=event.id)
    assert (stored.actor_id, stored.actor_label) == (str(practitioner.id), practitioner.label)
    assert (stored.practice_id, stored.patient_id, stored.outcome) == (
        str(practitioner.practice_id),
        "p-42",
        Outcome.SUCCESS,
    )


def test_it_takes_the_request_id_ip_browser_digest_and_user_from_the_request(practitioner: User) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Firefox/140")
    request.user = practitioner
    with request_context(context_from_request(request)) as context:
        event = audit_record(action=Action.ACCOUNT_CHANGED)
    assert event.request_id == context.request_id != ""
    assert event.source_ip == "192.0.2.7"
    assert event.user_agent_digest == hashlib.sha256(b"Firefox/140").hexdigest()
    assert event.actor_id == str(practitioner.id)
    assert event.actor_label == "Martin (dr.martin)"


def test_it_keeps_the_label_after_the_account_is_deleted(practitioner: User) -> None:
    event = audit_record(action=Action.ACCOUNT_CHANGED, actor=practitioner)
    label = practitioner.label
    # Raw SQL: no foreign key ties an event to an account, in the database itself.
    user_id = User._meta.pk.get_db_prep_value(practitioner.pk, connection)
    raw("DELETE FROM accounts_roleassignment WHERE user_id = %s", [user_id])
    raw("DELETE FROM accounts_user WHERE id = %s", [user_id])
    assert not User.objects.filter(id=practitioner.id).exists()
    assert Event.objects.get(id=event.id).actor_label == label
