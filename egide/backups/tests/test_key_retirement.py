"""After a new master key and its printed kit, the old kit no longer opens the backups."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egide.audit.actions import Action
from egide.audit.models import Event
from egide.backups.errors import BackupFault
from egide.backups.key_retirement import keys_retire
from egide.backups.models import Outcome
from egide.backups.passwords import repository_password
from egide.backups.restic import Repository
from egide.backups.selectors import backup_status
from egide.backups.services import backup_run, repository_for
from egide.backups.tests.conftest import DestinationMaker, RcloneServer
from egide.core.errors import Conflict
from egide.crypto.recovery_kit import recovery_kit_generate
from egide.crypto.runtime import current_master_key
from egide.crypto.services import master_key_rotate


def _old_kit_warnings() -> list[str]:
    warnings = backup_status().warnings
    return [warning for warning in warnings if "ancien kit" in warning or "old recovery kit" in warning]


def test_the_old_kit_stops_opening_each_destination_once_the_new_kit_is_printed(
    destination_make: DestinationMaker,
    local_destination: Path,
    rclone_append_only: RcloneServer,
    tmp_path: Path,
) -> None:
    usb = destination_make("usb", local_destination)
    nas = destination_make("nas", rclone_append_only.repository("nas"), append_only=True)
    assert [r.outcome for r in backup_run()] == [Outcome.SUCCESS, Outcome.SUCCESS]
    old_master = current_master_key()
    master_key_rotate()
    assert len(_old_kit_warnings()) == 2  # the status says the old kit still opens both

    # Before the new kit is printed, the old one is the only paper that opens the backups.
    with pytest.raises(Conflict, match="kit"):
        keys_retire()
    assert len(repository_for(usb, old_master).snapshots()) == 1

    recovery_kit_generate(output=tmp_path / "nouveau-kit.pdf")
    results = {result.destination: result for result in keys_retire()}

    assert results["usb"].retired
    with pytest.raises(BackupFault) as refused:
        repository_for(usb, old_master).snapshots()
    assert refused.value.kind == "wrong-password"
    assert len(repository_for(usb).snapshots()) == 1  # the current kit opens it, backups intact
    # The append-only server refuses the removal: the operator is told what to run, and where.
    assert not results["nas"].retired
    assert "machine" in results["nas"].message and results["nas"].key_id in results["nas"].message
    assert len(repository_for(nas, old_master).snapshots()) == 1
    assert len(_old_kit_warnings()) == 1
    events = Event.objects.filter(action=Action.BACKUP_KEY_RETIRED)
    assert sorted(events.values_list("subject_id", "outcome")) == [("nas", "failure"), ("usb", "success")]

    # From the trusted machine (the server's own directory), then key-retire sees it gone.
    trusted = Repository(
        str(rclone_append_only.directory / "nas"),
        repository_password(current_master_key(), "nas"),
        cache_dir=tmp_path / "trusted-cache",
    )
    trusted.key_remove(results["nas"].key_id)
    assert [result.retired for result in keys_retire()] == [True]
    assert _old_kit_warnings() == []
    assert keys_retire() == []
    assert [r.outcome for r in backup_run()] == [Outcome.SUCCESS, Outcome.SUCCESS]


def test_the_command_refuses_before_the_new_kit_and_removes_nothing(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    usb = destination_make("usb", local_destination)
    backup_run()
    old_master = current_master_key()
    master_key_rotate()

    with pytest.raises(CommandError, match="kit de secours"):
        call_command("backup", "key-retire")

    assert len(repository_for(usb, old_master).snapshots()) == 1
    assert not Event.objects.filter(action=Action.BACKUP_KEY_RETIRED).exists()
