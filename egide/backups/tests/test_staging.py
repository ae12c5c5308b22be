from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext

from egide.accounts.models import User
from egide.backups.passwords import current_repository_password
from egide.backups.staging import Manifest, stage
from egide.patients.documents import document_add
from egide.patients.services import patient_create
from egide.patients.vault import Identity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staged(backup_ready: Path, practitioner: User, tmp_path: Path) -> tuple[Path, Manifest]:
    identity = Identity(
        birth_name="Canari", birth_first_names=("Zélie",), birth_date=date(1990, 5, 6), sex="F"
    )
    patient_id = patient_create(actor=practitioner, identity=identity).patient_id
    document_add(actor=practitioner, patient_id=patient_id, filename="bilan.pdf", upload=io.BytesIO(PDF))
    target = tmp_path / "staging"
    return target, stage(target)


def test_it_lays_out_database_blobs_heads_and_the_two_key_files(staged: tuple[Path, Manifest]) -> None:
    target, manifest = staged
    database = "database/egide.sqlite3" if connection.vendor == "sqlite" else "database/egide.pgdump"
    names = set(manifest.files)
    assert database in names
    assert {"keys/keyring.wrapped"} <= names
    assert [name for name in names if name.startswith("blobs/")] == [
        f"blobs/{path.name}" for path in (Path(settings.DATA_DIR) / "blobs").iterdir()
    ]
    assert manifest.format == 1 and manifest.database_vendor in {"sqlite", "postgresql"}
    applied = MigrationRecorder.Migration.objects.filter(app="backups").order_by("-id").first()
    assert applied is not None and manifest.schema["backups"] == applied.name
    assert "patients" in manifest.schema
    assert manifest.counts["patients_patient"] == 1 and manifest.counts["patients_document"] == 1
    assert Manifest.load(target) == manifest
    assert manifest.verify(target) == []


def test_it_never_holds_the_master_key_the_secret_key_or_a_repository_password(
    staged: tuple[Path, Manifest],
) -> None:
    target, _manifest = staged
    key_files = {path.name for path in (target / "keys").iterdir()}
    assert key_files <= {"keyring.wrapped", "shredding.journal"}
    master = (Path(settings.KEY_DIR) / "master.key").read_bytes()
    password = current_repository_password("usb").encode()
    for root, _dirs, files in os.walk(target):
        for name in files:
            content = (Path(root) / name).read_bytes()
            assert master not in content and password not in content
            assert settings.SECRET_KEY.encode() not in content


def test_its_manifest_names_every_altered_missing_or_added_file(staged: tuple[Path, Manifest]) -> None:
    target, manifest = staged
    blob = next(name for name in manifest.files if name.startswith("blobs/"))
    (target / blob).write_bytes(b"encrypted by ransomware")
    (target / "keys" / "keyring.wrapped").unlink()
    (target / "README-RANSOM.txt").write_text("pay")

    assert manifest.verify(target) == [
        gettext("File altered (checksum differs): %(name)s.") % {"name": blob},
        gettext("Missing file: %(name)s.") % {"name": "keys/keyring.wrapped"},
        gettext("File not listed in the manifest: %(name)s.") % {"name": "README-RANSOM.txt"},
    ]


def test_a_blob_changed_since_the_last_backup_is_hashed_again(
    staged: tuple[Path, Manifest], tmp_path: Path
) -> None:
    _target, first = staged
    [name] = [name for name in first.files if name.startswith("blobs/")]
    blob = Path(settings.DATA_DIR) / name
    blob.write_bytes(blob.read_bytes() + b"!")  # an altered blob: new size, new mtime

    second = stage(tmp_path / "again")

    assert second.files[name] != first.files[name]
    assert second.verify(tmp_path / "again") == []
