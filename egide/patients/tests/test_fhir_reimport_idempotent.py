from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from egide.accounts.models import User
from egide.patients.models import Note, Patient
from egide.patients.selectors import patient_get_for_user
from egide.patients.tests.fhir_samples import bundle, note_entry, patient_entry, write


def _import(path: Path, user: User) -> str:
    out = StringIO()
    call_command("import", str(path), "--as", user.username, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_updates_the_known_patient_instead_of_duplicating_it(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    garnier = patient_entry()
    source = write(
        tmp_path / "b.json", bundle(garnier, note_entry(garnier, "Angine."), note_entry(garnier, "RAS."))
    )

    first = _import(source, practitioner)
    second = _import(source, practitioner)

    assert "1 patient(s) créé(s)" in first and "2 note(s) ou document(s) ajouté(s)" in first
    assert "0 patient(s) créé(s), 0 mis à jour, 1 inchangé(s), 0 note(s) ou document(s) ajouté(s)" in second
    assert Patient.objects.count() == 1
    assert Note.objects.count() == 2


def test_it_applies_a_changed_identity_and_adds_only_the_new_notes(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    garnier = patient_entry()
    _import(write(tmp_path / "a.json", bundle(garnier, note_entry(garnier, "Angine."))), practitioner)
    garnier["resource"]["name"].append({"use": "usual", "family": "Garnier-Roy"})

    report = _import(
        write(
            tmp_path / "b.json", bundle(garnier, note_entry(garnier, "Angine."), note_entry(garnier, "Toux."))
        ),
        practitioner,
    )

    assert "0 patient(s) créé(s), 1 mis à jour, 0 inchangé(s), 1 note(s) ou document(s) ajouté(s)" in report
    record = patient_get_for_user(user=practitioner, patient_id=Patient.objects.get().id)
    assert record.identity is not None and record.identity.used_name == "Garnier-Roy"
    assert sorted(note.text for note in record.notes) == ["Angine.", "Toux."]
