from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egide.accounts.models import User
from egide.patients.models import Note, Patient
from egide.patients.selectors import patient_get_for_user
from egide.patients.tests.conftest import valid_nir
from egide.patients.tests.fhir_samples import bundle, note_entry, patient_entry, write


def _import_failing(path: Path, user: User) -> str:
    out = StringIO()
    with pytest.raises(CommandError, match="rejetée") as failure:
        call_command("import", str(path), "--as", user.username, stdout=out, stderr=StringIO())
    assert failure.value.returncode == 1  # `egide import` exits non-zero
    return out.getvalue()


def test_it_reports_each_bad_entry_with_its_position_and_imports_the_good_ones(
    keys: Path, tmp_path: Path, practitioner: User, lefevre: uuid.UUID
) -> None:
    good = patient_entry()
    bad_key = patient_entry(nir=valid_nir("1700575056001")[:13] + "00", family="Cléf")
    no_birth_date = patient_entry("1700575056002", birth_date=None)
    unknown_system = patient_entry("1700575056003", system="urn:oid:1.2.3.4")
    known = patient_entry(
        nir=valid_nir("2840375056123"),
        family="Lefèvre-D'Arc",
        given=("Zéphyrine", "Marie"),
        birth_date="1984-03-09",
    )
    known["resource"]["gender"] = "female"
    known["resource"]["name"].append({"use": "usual", "family": "Changé"})
    source = write(
        tmp_path / "bundle.json",
        bundle(
            good,  # 0
            note_entry(good, "Entorse."),  # 1
            bad_key,  # 2
            no_birth_date,  # 3
            note_entry(no_birth_date, "Perdue avec son patient."),  # 4
            unknown_system,  # 5
            known,  # 6
            note_entry(known, "Date impossible.", written_on="2024-02-30"),  # 7
            {"resource": {"resourceType": "Patient", "birthDate": ["1984"]}},  # 8
        ),
    )

    report = _import_failing(source, practitioner)

    lines = report.splitlines()
    assert "Entrée 2 rejetée : NIR : Clé NIR invalide" in lines[0]
    assert lines[1].startswith("Entrée 3 rejetée : date de naissance : Date de naissance absente")
    assert lines[2] == "Entrée 4 rejetée : Non importé : son patient (position 3) est rejeté."
    assert lines[3].startswith(
        "Entrée 5 rejetée : identifiant : Système d'identifiant inconnu « urn:oid:1.2.3.4 »"
    )
    assert (
        lines[4]
        == "Entrée 6 rejetée : Patient non importé : sa note ou son document (position 7) est rejeté."
    )
    assert lines[5] == "Entrée 7 rejetée : Ressource FHIR non conforme (champs : effectiveDateTime)."
    assert lines[6] == "Entrée 8 rejetée : Ressource FHIR non conforme (champs : birthDate)."
    assert (
        "1 patient(s) créé(s), 0 mis à jour, 0 inchangé(s), 1 note(s) ou document(s) ajouté(s)." in lines[7]
    )
    assert Patient.objects.count() == 2  # lefevre and the good one
    assert Note.objects.count() == 1
    unchanged = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert unchanged.identity is not None and unchanged.identity.used_name == "Quintessa"


def test_it_rejects_malformed_json_and_changes_nothing(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    text = '{"resourceType": "Bundle", "type": "collection",\n "entry": [}'

    report = _import_failing(write(tmp_path / "broken.json", text), practitioner)

    assert report.splitlines()[0] == (
        "Fichier rejetée : JSON illisible (ligne 2, colonne 12) : rien n'a été importé."
    )
    assert Patient.objects.count() == 0
