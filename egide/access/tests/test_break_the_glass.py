"""Break-the-glass: a reason, a fresh re-authentication, a time box, a trace, never another practice."""

from __future__ import annotations

import io
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from egide.access.models import BreakGlassGrant
from egide.access.policy import Need, grant_reference, patient_for
from egide.access.services import break_glass_open
from egide.access.tests.conftest import NOTE, REASON
from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import User
from egide.audit.models import Event
from egide.core.errors import Invalid, NotFound
from egide.patients.selectors import patient_get_for_user
from egide.patients.services import note_add


def _url(patient_id: uuid.UUID) -> str:
    return f"/acces/patients/{patient_id}/bris-de-glace/"


def test_it_opens_identity_and_notes_for_the_time_box(
    practitioner2: User, patient_id: uuid.UUID, grant: BreakGlassGrant
) -> None:
    assert (
        grant.expires_at - grant.opened_at
        == timedelta(hours=settings.BREAK_GLASS_HOURS)
        == timedelta(hours=4)
    )
    record = patient_get_for_user(user=practitioner2, patient_id=patient_id)
    assert record.can_see_clinical
    assert [note.text for note in record.notes] == [NOTE]
    assert record.break_glass_until == grant.expires_at
    assert not record.can_see_trail  # the trail is for the care team and the DPO


def test_every_event_under_the_grant_carries_its_id(
    practitioner2: User, patient_id: uuid.UUID, grant: BreakGlassGrant
) -> None:
    patient_get_for_user(user=practitioner2, patient_id=patient_id)
    note_add(actor=practitioner2, patient_id=patient_id, text="Vu en urgence, constantes stables.")
    events = Event.objects.filter(patient_id=str(patient_id), actor_id=str(practitioner2.pk)).order_by("id")
    assert [(event.action, event.justification) for event in events] == [
        ("access:break-glass:opened", grant_reference(grant.id)),
        ("patient:record:viewed", grant_reference(grant.id)),
        ("patient:notes:viewed", grant_reference(grant.id)),
        ("patient:note:added", grant_reference(grant.id)),
    ]
    opened = events.first()
    assert opened is not None and opened.subject_id == str(grant.id) and grant.opened_event_id == opened.id


def test_the_access_lapses_after_the_time_box(practitioner2: User, patient_id: uuid.UUID) -> None:
    with time_machine.travel("2026-11-23 08:00 +0000", tick=False) as clock:
        break_glass_open(actor=practitioner2, patient_id=patient_id, reason=REASON)
        clock.shift(timedelta(hours=3, minutes=59))
        assert patient_get_for_user(user=practitioner2, patient_id=patient_id).can_see_clinical
        clock.shift(timedelta(minutes=1))
        with pytest.raises(NotFound):
            patient_get_for_user(user=practitioner2, patient_id=patient_id)
        with pytest.raises(NotFound):
            note_add(actor=practitioner2, patient_id=patient_id, text="Trop tard.")
        for need in Need:
            with pytest.raises(NotFound):
                patient_for(practitioner2, patient_id, need=need)


def test_the_lapsed_access_sends_the_practitioner_back_to_break_the_glass(
    client: Client, practitioner2: User, patient_id: uuid.UUID
) -> None:
    with time_machine.travel("2026-11-23 08:00 +0000", tick=False) as clock:
        break_glass_open(actor=practitioner2, patient_id=patient_id, reason=REASON)
        clock.shift(timedelta(hours=5))
        client.force_login(practitioner2)
        response = client.get(f"/patients/{patient_id}/")
    assert response.status_code == 302
    assert response["Location"] == _url(patient_id)
    assert NOTE not in response.content.decode()


@pytest.mark.parametrize("persona", ["outsider", "secretary", "dpo", "admin_user", "practitioner"])
def test_it_refuses_anyone_but_a_practitioner_of_the_practice_outside_the_care_team(
    persona: str, client: Client, patient_id: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        break_glass_open(actor=user, patient_id=patient_id, reason=REASON)
    client.force_login(user)
    forbidden = client.post(_url(patient_id), {"reason": REASON})
    missing = client.post(_url(uuid.uuid4()), {"reason": REASON})
    assert forbidden.status_code == missing.status_code == 404
    assert not BreakGlassGrant.objects.exists()


def test_another_practice_never_breaks_the_glass_into_this_one(
    client: Client, outsider: User, patient_id: uuid.UUID
) -> None:
    client.force_login(outsider)
    assert client.get(f"/patients/{patient_id}/").status_code == 404
    assert client.get(_url(patient_id)).status_code == 404
    with pytest.raises(NotFound):
        patient_get_for_user(user=outsider, patient_id=patient_id)


def test_a_short_reason_is_refused_and_changes_nothing(
    client: Client, practitioner2: User, patient_id: uuid.UUID
) -> None:
    with pytest.raises(Invalid):
        break_glass_open(actor=practitioner2, patient_id=patient_id, reason="   urgence   ")
    client.force_login(practitioner2)
    response = client.post(_url(patient_id), {"reason": "urgence"})
    assert response.status_code == 400
    assert not BreakGlassGrant.objects.exists()
    assert not Event.objects.filter(action="access:break-glass:opened").exists()


def test_it_asks_for_a_fresh_reauthentication(
    client: Client, practitioner2: User, patient_id: uuid.UUID
) -> None:
    client.force_login(practitioner2)
    session = client.session
    stale = time.time() - settings.REAUTH_MINUTES * 60 - 1
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = stale
    session.save()
    for response in (client.get(_url(patient_id)), client.post(_url(patient_id), {"reason": REASON})):
        assert response.status_code == 302
        assert response["Location"].startswith("/reauthentification/")
    assert not BreakGlassGrant.objects.exists()


def test_the_web_journey_opens_the_record_and_keeps_the_reason_out_of_urls_and_the_journal(
    client: Client, practitioner2: User, patient_id: uuid.UUID
) -> None:
    client.force_login(practitioner2)
    offered = client.get(f"/patients/{patient_id}/")
    assert offered.status_code == 302 and offered["Location"] == _url(patient_id)
    assert client.get(_url(patient_id)).status_code == 200
    opened = client.post(_url(patient_id), {"reason": REASON})
    assert opened.status_code == 302 and opened["Location"] == f"/patients/{patient_id}/"
    page = client.get(f"/patients/{patient_id}/").content.decode()
    assert NOTE in page
    assert 'data-testid="break-glass-banner"' in page
    grant = BreakGlassGrant.objects.get()
    assert grant.reason.startswith("v1$") and "inconsciente" not in grant.reason
    assert not Event.objects.filter(justification__contains="inconsciente").exists()
    assert REASON not in opened["Location"]


def test_the_reason_never_reaches_the_logs(
    caplog: pytest.LogCaptureFixture, client: Client, practitioner2: User, patient_id: uuid.UUID
) -> None:
    caplog.set_level("DEBUG")
    client.force_login(practitioner2)
    client.post(_url(patient_id), {"reason": REASON})
    assert BreakGlassGrant.objects.exists()
    assert "inconsciente" not in caplog.text
    assert any("break-the-glass" in record.getMessage() for record in caplog.records)


def test_the_cli_asks_the_same_policy(practitioner2: User, patient_id: uuid.UUID) -> None:
    with pytest.raises(CommandError):
        call_command("export", str(patient_id), "--as", practitioner2.username, stdout=io.StringIO())
    break_glass_open(actor=practitioner2, patient_id=patient_id, reason=REASON)
    out = io.StringIO()
    call_command("export", str(patient_id), "--as", practitioner2.username, stdout=out)
    assert NOTE in out.getvalue()
    exported = Event.objects.get(action="patient:record:exported")
    assert exported.actor_id == str(practitioner2.pk)
    assert exported.justification.startswith("break-glass:")
