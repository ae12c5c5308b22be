"""Crypto-shredding: an erased patient stays erased, even in an older copy of the database."""

from __future__ import annotations

import uuid

from django.forms.models import model_to_dict

from egide.accounts.models import User
from egide.crypto.models import WrappedKey
from egide.patients.models import Patient, PatientIndex
from egide.patients.selectors import patient_get_for_user, patient_search
from egide.patients.services import note_add, patient_key_destroy


def test_the_erased_patient_shows_as_erased_with_its_date(
    practitioner: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    patient_key_destroy(actor=practitioner, patient_id=lefevre)
    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity is None
    assert record.erased_at is not None
    assert not PatientIndex.objects.filter(patient_id=lefevre).exists()
    assert patient_search(user=practitioner, query="Quintessa") == []
    assert patient_get_for_user(user=practitioner, patient_id=durand).identity is not None


def test_an_older_copy_of_the_database_cannot_reveal_the_patient(
    practitioner: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Note avant effacement")
    patient = Patient.objects.get(id=lefevre)
    wrapped = WrappedKey.objects.get(data_key_id=patient.data_key_id)
    older_key_row = model_to_dict(wrapped)
    patient_key_destroy(actor=practitioner, patient_id=lefevre)

    # The older copy: the wrapped key is back and the row is not marked erased.
    WrappedKey.objects.create(**older_key_row)
    Patient.objects.filter(id=lefevre).update(erased_at=None)

    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity is None
    assert record.notes == ()
    # Recovery is intact for everybody else.
    assert patient_get_for_user(user=practitioner, patient_id=durand).identity is not None
