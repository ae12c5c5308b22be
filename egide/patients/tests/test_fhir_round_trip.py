from __future__ import annotations

import json
import uuid
from datetime import date
from io import BytesIO, StringIO
from pathlib import Path

from django.core.management import call_command

from egide.accounts.models import User
from egide.patients.documents import document_add, document_list_for_user, document_open_for_user
from egide.patients.fhir import patient_export
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.models import Patient
from egide.patients.selectors import patient_get_for_user
from egide.patients.services import note_add, patient_create
from egide.patients.tests.conftest import valid_nir
from egide.patients.tests.document_samples import PDF
from egide.patients.tests.fhir_samples import without_ids
from egide.patients.vault import Identity


def _qualified(practitioner: User) -> uuid.UUID:
    """Every field filled, an INS under the demo authority, a qualified identity."""
    nir = valid_nir("1620899134042")
    identity = Identity(
        birth_name="Nguyen-Moreau",
        birth_first_names=("Anh", "Louis", "Étienne"),
        birth_date=date(1962, 8, 21),
        sex="M",
        used_name="Moreau",
        used_first_name="Louis",
        birthplace_cog="99134",
        nir=nir,
        ins_matricule=nir,
        address="3 impasse des Tilleuls\n69003 Lyon",
        phone="+33 4 78 00 00 00",
        email="louis.moreau@example.org",
        death_date=date(2024, 1, 3),
    )
    saved = patient_create(
        actor=practitioner, identity=identity, ins_oid=InsOid.DEMO, identity_status=IdentityStatus.QUAL
    )
    return saved.patient_id


def _export_import_export(
    tmp_path: Path, practitioner: User, outsider: User, patient_id: uuid.UUID
) -> tuple[dict[str, object], dict[str, object], uuid.UUID]:
    first = patient_export(actor=practitioner, patient_id=patient_id)
    source = tmp_path / "export.json"
    call_command("export", str(patient_id), "--as", practitioner.username, "--output", str(source))
    assert json.loads(source.read_text(encoding="utf-8")) == first
    call_command("import", str(source), "--as", outsider.username, stdout=StringIO(), stderr=StringIO())
    # The fresh practice has this one patient.
    imported_id = Patient.objects.get(practice_id=outsider.practice_id).id
    second = patient_export(actor=outsider, patient_id=imported_id)
    return first, second, imported_id


def test_it_reimports_a_qualified_patient_with_notes_identically_in_a_fresh_practice(
    keys: Path, tmp_path: Path, practitioner: User, outsider: User
) -> None:
    patient_id = _qualified(practitioner)
    note_add(
        actor=practitioner,
        patient_id=patient_id,
        text="Tension 13/8.\nRevoir dans 3 mois.",
        written_on=date(2023, 11, 2),
    )
    note_add(actor=practitioner, patient_id=patient_id, text="Vaccin grippe.", written_on=date(2023, 10, 1))
    document_add(actor=practitioner, patient_id=patient_id, filename="compte-rendu.pdf", upload=BytesIO(PDF))

    first, second, imported_id = _export_import_export(tmp_path, practitioner, outsider, patient_id)

    assert without_ids(second) == without_ids(first)
    original = patient_get_for_user(user=practitioner, patient_id=patient_id)
    imported = patient_get_for_user(user=outsider, patient_id=imported_id)
    assert imported.identity == original.identity
    assert (imported.ins_oid, imported.identity_status) == (InsOid.DEMO.value, "QUAL")
    assert [(note.written_on, note.text) for note in imported.notes] == [
        (note.written_on, note.text) for note in original.notes
    ]
    [document] = document_list_for_user(user=outsider, patient_id=imported_id)
    with document_open_for_user(
        user=outsider, patient_id=imported_id, document_id=document.id
    ).stream as stream:
        assert (document.filename, document.media_type, stream.read()) == (
            "compte-rendu.pdf",
            "application/pdf",
            PDF,
        )


def test_it_reimports_a_validated_patient_identically_without_transmitting_its_ins(
    keys: Path, tmp_path: Path, practitioner: User, outsider: User, lefevre: uuid.UUID
) -> None:
    first, second, imported_id = _export_import_export(tmp_path, practitioner, outsider, lefevre)

    assert without_ids(second) == without_ids(first)
    imported = patient_get_for_user(user=outsider, patient_id=imported_id)
    original = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert imported.identity is not None and original.identity is not None
    # Only a qualified identity may travel as an INS (regulatory-facts §6.3): the NIR does, the INS not.
    assert imported.identity.nir == original.identity.nir
    assert imported.identity.ins_matricule == ""
    assert imported.identity_status == "VALI"
