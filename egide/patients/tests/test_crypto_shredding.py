"""Crypto-shredding: an erased patient stays erased, even in an older copy of the database."""

from __future__ import annotations

import uuid

import pytest
from django.forms.models import model_to_dict

from egide.accounts.models import User
from egide.core.errors import NotFound
from egide.crypto.models import WrappedKey
from egide.crypto.services import root_key_rotate
from egide.patients.models import Patient, PatientIndex
from egide.patients.selectors import patient_get_for_user, patient_search
from egide.patients.services import note_add, patient_key_destroy


def test_the_erased_patient_shows_as_erased_with_its_date(
    practitioner: User, dpo: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    patient_key_destroy(actor=dpo, patient_id=lefevre)
    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity is None
    assert record.erased_at is not None
    assert not PatientIndex.objects.filter(patient_id=lefevre).exists()
    assert patient_search(user=practitioner, query="Quintessa") == []
    assert patient_get_for_user(user=practitioner, patient_id=durand).identity is not None


def test_an_older_copy_of_the_database_cannot_reveal_the_patient(
    practitioner: User, dpo: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    note_add(actor=practitioner, patient_id=lefevre, text="Note avant effacement")
    patient = Patient.objects.get(id=lefevre)
    wrapped = WrappedKey.objects.get(data_key_id=patient.data_key_id)
    older_key_row = model_to_dict(wrapped)
    patient_key_destroy(actor=None, patient_id=lefevre)  # an end-of-retention purge by the worker

    # The older copy: the wrapped key is back and the row is not marked erased.
    WrappedKey.objects.create(**older_key_row)
    Patient.objects.filter(id=lefevre).update(erased_at=None)

    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity is None
    assert record.notes == ()
    # Recovery is intact for everybody else.
    assert patient_get_for_user(user=practitioner, patient_id=durand).identity is not None


@pytest.mark.parametrize("persona", ["practitioner", "secretary", "admin_user", "outsider"])
def test_only_the_dpo_or_the_worker_may_shred(
    persona: str, lefevre: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(NotFound):
        patient_key_destroy(actor=request.getfixturevalue(persona), patient_id=lefevre)
    assert Patient.objects.get(id=lefevre).erased_at is None


def test_a_rotation_after_an_older_copy_comes_back_drops_the_erased_indexes(
    dpo: User, secretary: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    indexes = list(
        PatientIndex.objects.filter(patient_id=lefevre).values("practice_id", "value", "root_version")
    )
    patient_key_destroy(actor=dpo, patient_id=lefevre)
    PatientIndex.objects.bulk_create(PatientIndex(patient_id=lefevre, **row) for row in indexes)  # older copy
    result = root_key_rotate(batch_size=1)
    assert result.retired_versions == (1,)
    assert not PatientIndex.objects.filter(patient_id=lefevre).exists()
    assert [hit.id for hit in patient_search(user=secretary, query="Durand")] == [durand]
