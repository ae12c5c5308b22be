"""An altered document blob is never served: the download fails closed, with a trace."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.audit.models import Event
from egide.patients.documents import document_add, document_open_for_user
from egide.patients.errors import RecordUnreadable
from egide.patients.models import Document
from egide.patients.tests.document_samples import PDF, download_url


def _blob(settings: SettingsWrapper, document_id: uuid.UUID) -> Path:
    return Path(settings.DATA_DIR) / "blobs" / Document.objects.get(id=document_id).blob_name


def _failures(patient_id: uuid.UUID) -> int:
    return Event.objects.filter(
        patient_id=str(patient_id), action="patient:document:downloaded", outcome="failure"
    ).count()


@pytest.mark.parametrize("position", [0, 40, -1])
def test_it_refuses_a_blob_with_one_flipped_bit(
    practitioner: User,
    practitioner_client: Client,
    lefevre: uuid.UUID,
    settings: SettingsWrapper,
    position: int,
) -> None:
    content = PDF + bytes(3 * 1024 * 1024)  # several 1 MiB segments
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(content)
    )
    blob = _blob(settings, document_id)
    altered = bytearray(blob.read_bytes())
    altered[position] ^= 0x01
    blob.write_bytes(bytes(altered))

    response = practitioner_client.get(download_url(lefevre, document_id))

    assert response.status_code == 500
    assert "altérées" in response.content.decode()
    assert _failures(lefevre) == 1
    assert not Event.objects.filter(action="patient:document:downloaded", outcome="success").exists()


@pytest.mark.parametrize("change", ["truncated", "missing", "other_document"])
def test_it_refuses_a_truncated_missing_or_swapped_blob(
    practitioner: User, lefevre: uuid.UUID, settings: SettingsWrapper, change: str
) -> None:
    first = document_add(actor=practitioner, patient_id=lefevre, filename="a.pdf", upload=io.BytesIO(PDF))
    second = document_add(
        actor=practitioner, patient_id=lefevre, filename="b.pdf", upload=io.BytesIO(PDF + b"%b")
    )
    blob = _blob(settings, first)
    if change == "truncated":
        blob.write_bytes(blob.read_bytes()[:-1])
    elif change == "missing":
        blob.unlink()
    else:
        blob.write_bytes(_blob(settings, second).read_bytes())

    with pytest.raises(RecordUnreadable) as caught:
        document_open_for_user(user=practitioner, patient_id=lefevre, document_id=first)

    assert "altérées" in str(caught.value.message)
    assert _failures(lefevre) == 1
