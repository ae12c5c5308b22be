from __future__ import annotations

import uuid
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fhir.resources.R4B.bundle import Bundle

from egide.accounts.models import User
from egide.patients.fhir import NIR_SYSTEM, patient_export
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.selectors import patient_get_for_user
from egide.patients.services import note_add, patient_update


def test_it_writes_a_bundle_that_validates_with_fhir_resources(
    keys: Path, practitioner: User, lefevre: uuid.UUID
) -> None:
    note_add(
        actor=practitioner, patient_id=lefevre, text="Consultation de suivi.", written_on=date(2024, 3, 1)
    )
    out = StringIO()

    call_command("export", str(lefevre), "--as", practitioner.username, stdout=out)

    parsed = Bundle.model_validate_json(out.getvalue())
    assert parsed.type == "collection"
    kinds = [entry.resource.get_resource_type() for entry in parsed.entry or [] if entry.resource is not None]
    assert kinds == ["Patient", "Observation"]


def test_it_transmits_the_ins_only_for_a_qualified_identity(
    keys: Path, practitioner: User, lefevre: uuid.UUID
) -> None:
    systems = [
        item["system"]
        for item in patient_export(actor=practitioner, patient_id=lefevre)["entry"][0]["resource"][
            "identifier"
        ]
    ]
    assert systems == [NIR_SYSTEM]  # VALI: the NIR, not the INS

    record = patient_get_for_user(user=practitioner, patient_id=lefevre)
    assert record.identity is not None
    patient_update(
        actor=practitioner,
        patient_id=lefevre,
        identity=record.identity,
        ins_oid=InsOid.NIR,
        identity_status=IdentityStatus.QUAL,
    )
    identifiers = patient_export(actor=practitioner, patient_id=lefevre)["entry"][0]["resource"]["identifier"]
    assert {
        "use": "official",
        "system": "urn:oid:1.2.250.1.213.1.4.8",
        "value": record.identity.nir,
    } in identifiers


def test_it_refuses_to_export_for_an_account_without_access(
    keys: Path, outsider: User, dpo: User, lefevre: uuid.UUID, tmp_path: Path
) -> None:
    for user in (outsider, dpo):
        with pytest.raises(CommandError, match="introuvable"):
            call_command("export", str(lefevre), "--as", user.username, "--output", str(tmp_path / "x.json"))
    assert not list(tmp_path.glob("*.json"))
