from __future__ import annotations

import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egide.accounts.models import User
from egide.audit.models import Event
from egide.patients.models import Patient
from egide.patients.tests.fhir_samples import bundle, patient_entry, write


def test_it_records_the_export_with_the_operator_and_the_patient(
    keys: Path, practitioner: User, lefevre: uuid.UUID
) -> None:
    call_command("export", str(lefevre), "--as", practitioner.username, stdout=StringIO())

    event = Event.objects.get(action="patient:record:exported")
    assert (event.actor_id, event.patient_id, event.outcome) == (
        str(practitioner.pk),
        str(lefevre),
        "success",
    )


def test_it_records_one_import_event_per_imported_patient_and_none_for_a_rejected_one(
    keys: Path, tmp_path: Path, practitioner: User
) -> None:
    source = write(
        tmp_path / "b.json",
        bundle(
            patient_entry(), patient_entry("1700575056002"), patient_entry("1700575056003", birth_date=None)
        ),
    )

    with pytest.raises(CommandError):
        call_command(
            "import", str(source), "--as", practitioner.username, stdout=StringIO(), stderr=StringIO()
        )

    imported = Event.objects.filter(action="patient:record:imported")
    assert sorted(imported.values_list("patient_id", flat=True)) == sorted(
        str(pk) for pk in Patient.objects.values_list("id", flat=True)
    )
    assert imported.count() == 2
    assert set(imported.values_list("actor_id", flat=True)) == {str(practitioner.pk)}
