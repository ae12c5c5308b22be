from __future__ import annotations

import logging
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from egide.accounts.models import User
from egide.patients.tests.conftest import valid_nir
from egide.patients.tests.fhir_samples import bundle, note_entry, patient_entry, write


def test_it_logs_positions_and_counts_but_no_personal_data(
    keys: Path, tmp_path: Path, practitioner: User, lefevre: uuid.UUID, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = patient_entry(family="Vermeilhac", given=("Ysolde",))
    bad_nir = valid_nir("1700575056001")[:13] + "00"
    bad = patient_entry(nir=bad_nir, family="Quenderoux")
    source = write(tmp_path / "b.json", bundle(good, note_entry(good, "Migraine ophtalmique."), bad))

    with pytest.raises(CommandError):
        call_command(
            "import", str(source), "--as", practitioner.username, stdout=StringIO(), stderr=StringIO()
        )
    call_command("export", str(lefevre), "--as", practitioner.username, stdout=StringIO())

    assert "FHIR import: entry 2 rejected" in caplog.text
    logged = caplog.text.lower()
    for canary in (
        "vermeilhac",
        "ysolde",
        "migraine",
        "quenderoux",
        bad_nir,
        valid_nir("1700575056001"),
        "lefèvre",
        "zéphyrine",
        "quintessa",
        valid_nir("2840375056123"),
    ):
        assert canary.lower() not in logged
