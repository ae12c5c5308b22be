from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egide.accounts.models import User
from egide.patients.documents import blob_dir
from egide.patients.models import Document, Patient
from egide.patients.tests.document_samples import HTML, PDF
from egide.patients.tests.fhir_samples import JSON, bundle, note_entry, patient_entry, write


def _document_entry(patient: JSON, content: bytes, title: str) -> JSON:
    attachment = {
        "contentType": "application/pdf",
        "data": base64.b64encode(content).decode(),
        "title": title,
    }
    return {
        "resource": {
            "resourceType": "DocumentReference",
            "status": "current",
            "subject": {"reference": patient["fullUrl"]},
            "content": [{"attachment": attachment}],
        }
    }


def _import(path: Path, user: User) -> str:
    out = StringIO()
    call_command("import", str(path), "--as", user.username, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_imports_a_document_once_however_often_the_bundle_is_imported(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    garnier = patient_entry()
    source = write(tmp_path / "b.json", bundle(garnier, _document_entry(garnier, PDF, "bilan.pdf")))

    first = _import(source, practitioner)
    second = _import(source, practitioner)

    assert "1 note(s) ou document(s) ajouté(s)" in first
    assert "1 inchangé(s), 0 note(s) ou document(s) ajouté(s)" in second
    assert Document.objects.count() == 1


def test_it_rejects_a_refused_file_with_its_patient_and_leaves_no_blob(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    garnier = patient_entry()
    source = write(
        tmp_path / "b.json",
        bundle(
            garnier,
            _document_entry(garnier, PDF, "bilan.pdf"),  # 1: written, then rolled back with its patient
            _document_entry(garnier, HTML, "page.pdf"),  # 2: refused from its content
            note_entry(garnier, "Perdue aussi."),  # 3
        ),
    )
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import", str(source), "--as", practitioner.username, stdout=out, stderr=StringIO())

    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == "Entrée 0 rejetée : Patient non importé : sa note ou son document (position 2) est rejeté."
    )
    assert lines[1] == "Entrée 1 rejetée : Non importé : son patient (position 0) est rejeté."
    assert lines[2].startswith("Entrée 2 rejetée : document : ")
    assert lines[3] == "Entrée 3 rejetée : Non importé : son patient (position 0) est rejeté."
    assert (Patient.objects.count(), Document.objects.count()) == (0, 0)
    assert not [path for path in blob_dir().iterdir() if path.is_file()]


def test_it_lets_the_secretariat_import_identities_but_not_documents(
    keys: Path, tmp_path: Path, secretary: User
) -> None:
    garnier = patient_entry()
    source = write(tmp_path / "b.json", bundle(garnier, _document_entry(garnier, PDF, "bilan.pdf")))
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("import", str(source), "--as", secretary.username, stdout=out, stderr=StringIO())

    assert (
        "Refusé : seul un praticien de l'équipe de soins peut importer notes et documents." in out.getvalue()
    )
    assert Patient.objects.count() == 0
