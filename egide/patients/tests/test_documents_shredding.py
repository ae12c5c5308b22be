"""Crypto-shredding a patient makes their documents unreadable too."""

from __future__ import annotations

import io
import uuid

import pytest

from egide.accounts.models import User
from egide.core.errors import NotFound
from egide.patients.documents import document_add, document_list_for_user, document_open_for_user
from egide.patients.models import Document, Patient
from egide.patients.services import patient_key_destroy
from egide.patients.tests.document_samples import PDF


def test_it_cannot_open_a_document_once_the_patient_is_shredded(
    practitioner: User, dpo: User, lefevre: uuid.UUID
) -> None:
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(PDF)
    )

    patient_key_destroy(actor=dpo, patient_id=lefevre)

    with pytest.raises(NotFound):
        document_open_for_user(user=practitioner, patient_id=lefevre, document_id=document_id)
    with pytest.raises(NotFound):
        document_list_for_user(user=practitioner, patient_id=lefevre)


def test_an_older_copy_of_the_database_cannot_open_the_document(
    practitioner: User, dpo: User, lefevre: uuid.UUID
) -> None:
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(PDF)
    )
    patient_key_destroy(actor=dpo, patient_id=lefevre)
    # An older copy of the database: the row is not marked erased, the key journal still wins.
    Patient.objects.filter(id=lefevre).update(erased_at=None)

    assert Document.objects.filter(id=document_id).exists()
    with pytest.raises(NotFound):
        document_open_for_user(user=practitioner, patient_id=lefevre, document_id=document_id)
    assert document_list_for_user(user=practitioner, patient_id=lefevre) == []
