"""A document whose row cannot be committed leaves no file behind, readable or not."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.audit.models import Event
from egide.patients import documents
from egide.patients.documents import document_add
from egide.patients.models import Document
from egide.patients.tests.document_samples import PDF


def _files(settings: SettingsWrapper) -> list[Path]:
    return [path for path in Path(settings.DATA_DIR).rglob("*") if path.is_file()]


def test_it_removes_the_blob_when_the_database_write_fails(
    practitioner: User, lefevre: uuid.UUID, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Path] = []
    real_encrypt = documents._encrypt_to_blob

    def encrypt_then_remember(*args: object, **kwargs: object) -> None:
        real_encrypt(*args, **kwargs)  # type: ignore[arg-type]
        written.extend(_files(settings))

    def failing_create(**kwargs: object) -> Document:
        raise DatabaseError("disque plein")

    monkeypatch.setattr(documents, "_encrypt_to_blob", encrypt_then_remember)
    monkeypatch.setattr(Document.objects, "create", failing_create)

    with pytest.raises(DatabaseError):
        document_add(actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(PDF))

    assert len(written) == 1  # the blob did exist before the failure
    assert _files(settings) == []
    assert not Event.objects.filter(action="patient:document:added").exists()


def test_it_leaves_no_temporary_file_when_encryption_fails(
    practitioner: User, lefevre: uuid.UUID, settings: SettingsWrapper
) -> None:
    class BrokenUpload(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if size == documents.CHUNK_BYTES and self.tell() > 0:  # midway through the encryption
                raise OSError("connexion interrompue")
            return super().read(size)

    with pytest.raises(OSError, match="connexion interrompue"):
        document_add(
            actor=practitioner,
            patient_id=lefevre,
            filename="cr.pdf",
            upload=BrokenUpload(PDF + bytes(3 * documents.CHUNK_BYTES)),
        )

    assert _files(settings) == []
    assert not Document.objects.exists()
