"""Personal fields are stored as envelopes bound to their place; tampering never shows a wrong value."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from egide.accounts.models import User
from egide.audit.models import Event
from egide.patients.errors import RecordUnreadable
from egide.patients.models import ENCRYPTED_IDENTITY_FIELDS, Patient
from egide.patients.selectors import patient_get_for_user
from egide.patients.vault import Identity

CANARIES = ("Zéphyrine", "Quintessa", "Canaris", "zephyrine.canari", "0611223344", "Lefèvre", "LEFEVRE")


def test_it_reads_back_what_was_written(
    practitioner: User, lefevre: uuid.UUID, lefevre_identity: Identity
) -> None:
    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity == lefevre_identity


def test_no_personal_value_is_stored_in_clear(lefevre: uuid.UUID) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patients_patient")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
        cursor.execute("SELECT value FROM patients_patientindex")
        stored += " ".join(str(row[0]) for row in cursor.fetchall())
    for canary in CANARIES:
        assert canary.lower() not in stored.lower()
    assert all(
        getattr(Patient.objects.get(id=lefevre), name).startswith("v1$dk-")
        for name in ENCRYPTED_IDENTITY_FIELDS
    )


def _swap(first: uuid.UUID, column_a: str, second: uuid.UUID, column_b: str) -> None:
    a, b = Patient.objects.get(id=first), Patient.objects.get(id=second)
    value_a, value_b = getattr(a, column_a), getattr(b, column_b)
    Patient.objects.filter(id=first).update(**{column_a: value_b})
    Patient.objects.filter(id=second).update(**{column_b: value_a})


@pytest.mark.parametrize("move", ["other_record", "other_column"])
def test_a_moved_ciphertext_fails_closed_and_leaves_a_trace(
    practitioner: User, lefevre: uuid.UUID, durand: uuid.UUID, move: str
) -> None:
    if move == "other_record":
        _swap(lefevre, "birth_name", durand, "birth_name")
    else:
        _swap(lefevre, "birth_name", lefevre, "used_name")
    with pytest.raises(RecordUnreadable) as caught:
        patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert "altérées" in str(caught.value.message)
    failed = Event.objects.filter(patient_id=str(lefevre), action="patient:record:viewed", outcome="failure")
    assert failed.count() == 1


def test_a_flipped_bit_fails_closed(practitioner: User, lefevre: uuid.UUID) -> None:
    envelope = Patient.objects.get(id=lefevre).birth_date
    flipped = envelope[:-3] + ("A" if envelope[-3] != "A" else "B") + envelope[-2:]
    Patient.objects.filter(id=lefevre).update(birth_date=flipped)
    with pytest.raises(RecordUnreadable):
        patient_get_for_user(user=practitioner, patient_id=lefevre)
