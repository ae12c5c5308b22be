from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from egide.accounts.models import User
from egide.audit.models import Event
from egide.backups.models import BackupRun, Outcome
from egide.backups.services import STAGING_DIR, backup_run, repository_for
from egide.backups.staging import Manifest
from egide.backups.tests.conftest import DestinationMaker, RcloneServer
from egide.patients.documents import document_add
from egide.patients.models import Document
from egide.patients.services import patient_create
from egide.patients.tests.conftest import valid_nir
from egide.patients.vault import Identity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def patient_with_document(backup_ready: Path, practitioner: User) -> uuid.UUID:
    from datetime import date

    identity = Identity(
        birth_name="Sauvegarde",
        birth_first_names=("Zoé",),
        birth_date=date(1980, 1, 2),
        sex="F",
        nir=valid_nir("2800175056123"),
    )
    patient_id = patient_create(actor=practitioner, identity=identity).patient_id
    document_add(
        actor=practitioner, patient_id=patient_id, filename="compte-rendu.pdf", upload=io.BytesIO(PDF)
    )
    return patient_id


def test_it_backs_up_to_every_destination_and_checks_each(
    patient_with_document: uuid.UUID,
    destination_make: DestinationMaker,
    local_destination: Path,
    rclone_append_only: RcloneServer,
    tmp_path: Path,
) -> None:
    local = destination_make("usb", local_destination)
    remote = destination_make("nas", rclone_append_only.repository())

    results = backup_run()

    assert [(r.destination, r.outcome, r.good) for r in results] == [
        ("nas", Outcome.SUCCESS, True),
        ("usb", Outcome.SUCCESS, True),
    ]
    assert not (Path(settings.DATA_DIR) / STAGING_DIR).exists()
    for destination in (local, remote):
        run = BackupRun.objects.get(destination=destination)
        assert run.snapshot_id and run.snapshot_count == 1 and run.bytes_added > 0
        snapshots = repository_for(destination).snapshots()
        assert [s.id for s in snapshots] == [run.snapshot_id]
    events = Event.objects.filter(action="backups:backup:run", outcome="success")
    assert sorted(events.values_list("subject_id", flat=True)) == ["nas", "usb"]

    # What was saved is the staging layout, whole and matching its manifest.
    target = tmp_path / "restored"
    repository_for(remote).restore("latest", target)
    manifest = Manifest.load(target)
    assert manifest.verify(target) == []
    document = Document.objects.get(patient_id=patient_with_document)
    assert (target / "blobs" / document.blob_name).read_bytes() == (
        Path(settings.DATA_DIR) / "blobs" / document.blob_name
    ).read_bytes()
    assert (target / "keys" / "keyring.wrapped").is_file()
    assert not (target / "keys" / "master.key").exists()
    assert manifest.counts["patients_document"] == 1
