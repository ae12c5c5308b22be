from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from egide.backups.errors import FAULT_MESSAGES, BackupFault
from egide.backups.restic import Repository
from egide.backups.services import backup_run
from egide.backups.tests.conftest import DestinationMaker
from egide.backups.tests.faults import assert_fault_shown, assert_good_again


def test_it_refuses_a_repository_of_another_installation_and_recovers_with_its_own(
    destination_make: DestinationMaker, local_destination: Path, tmp_path: Path
) -> None:
    usb = destination_make("usb", local_destination)
    # The disk is swapped for another practice's: a repository this installation's key does not open.
    shutil.move(local_destination, tmp_path / "our-disk")
    Repository(str(local_destination), "another-installation").init_if_needed()

    results = backup_run()

    assert_fault_shown(results, usb, "wrong-password")

    shutil.rmtree(local_destination)
    shutil.move(tmp_path / "our-disk", local_destination)
    assert_good_again(backup_run(), usb)


def test_it_does_not_add_a_destination_it_cannot_open(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    Repository(str(local_destination), "another-installation").init_if_needed()

    with pytest.raises(BackupFault) as raised:
        destination_make("usb", local_destination)

    assert raised.value.kind == "wrong-password"
    assert raised.value.message == FAULT_MESSAGES["wrong-password"]
