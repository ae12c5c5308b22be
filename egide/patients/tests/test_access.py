"""Who sees what of a patient; missing and forbidden give the same answer."""

from __future__ import annotations

import uuid

import pytest

from egide.accounts.models import User
from egide.audit.models import Event
from egide.core.errors import NotFound
from egide.patients.selectors import patient_get_for_user
from egide.patients.services import note_add


def test_the_care_team_practitioner_sees_identity_and_notes(practitioner: User, lefevre: uuid.UUID) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Tension 12/8, revoir dans 3 mois.")
    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.can_see_clinical
    assert [note.text for note in record.notes] == ["Tension 12/8, revoir dans 3 mois."]
    assert record.last_visit_date is not None


def test_the_secretariat_sees_identity_never_clinical_content(
    practitioner: User, secretary: User, lefevre: uuid.UUID
) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Note clinique")
    record = patient_get_for_user(user=secretary, patient_id=lefevre)
    assert record.identity is not None
    assert not record.can_see_clinical
    assert record.notes == ()
    with pytest.raises(NotFound):
        note_add(actor=secretary, patient_id=lefevre, text="Intrusion")


def test_a_practitioner_outside_the_care_team_needs_break_the_glass(
    practitioner: User, practitioner2: User, lefevre: uuid.UUID
) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Note clinique")
    with pytest.raises(NotFound):
        patient_get_for_user(user=practitioner2, patient_id=lefevre)
    with pytest.raises(NotFound):
        note_add(actor=practitioner2, patient_id=lefevre, text="Intrusion")


@pytest.mark.parametrize("persona", ["dpo", "admin_user", "outsider", "practitioner2"])
def test_others_get_the_same_answer_as_for_a_missing_patient(
    persona: str, lefevre: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(NotFound) as forbidden:
        patient_get_for_user(user=user, patient_id=lefevre)
    with pytest.raises(NotFound) as missing:
        patient_get_for_user(user=user, patient_id=uuid.uuid4())
    assert str(forbidden.value) == str(missing.value)


def test_every_read_and_write_leaves_an_event(practitioner: User, lefevre: uuid.UUID) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Consultation")
    patient_get_for_user(user=practitioner, patient_id=lefevre)
    actions = list(
        Event.objects.filter(patient_id=str(lefevre)).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "patient:record:created",
        "patient:note:added",
        "patient:record:viewed",
        "patient:notes:viewed",
    ]
    assert all(
        event.actor_id == str(practitioner.pk) for event in Event.objects.filter(patient_id=str(lefevre))
    )
