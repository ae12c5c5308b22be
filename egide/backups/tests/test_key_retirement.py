"""After a new master key and its printed kit, the old kit no longer opens the backups."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egide.audit.actions import Action
from egide.audit.models import Event
from egide.backups.errors import BackupFault
from egide.backups.key_retirement import keys_retire
from egide.backups.models import Destination, Outcome, RetiringKey
from egide.backups.restic import Repository
from egide.backups.selectors import backup_status
from egide.backups.services import backup_run, repository_for, repository_key_add
from egide.backups.tests.conftest import DestinationMaker, RcloneServer, rclone_serving
from egide.core.errors import Conflict
from egide.crypto.hierarchy import MasterKey
from egide.crypto.recovery_kit import recovery_kit_generate
from egide.crypto.runtime import current_master_key
from egide.crypto.services import master_key_rotate


def _old_kit_warnings() -> list[str]:
    warnings = backup_status().warnings
    return [warning for warning in warnings if "ancien kit" in warning or "old recovery kit" in warning]


def _opens(destination: Destination, master: MasterKey) -> bool:
    try:
        repository_for(destination, master).snapshots()
    except BackupFault as fault:
        if fault.kind != "wrong-password":
            raise
        return False
    return True


def _kit(directory: Path) -> None:
    recovery_kit_generate(output=directory / f"kit-{len(list(directory.glob('kit-*')))}.pdf")


def _retired() -> list[tuple[str, str]]:
    events = Event.objects.filter(action=Action.BACKUP_KEY_RETIRED).order_by("id")
    rows = events.values_list("subject_id", "justification")
    return [(name, reason.split(":")[-1]) for name, reason in rows]


def test_the_old_kit_stops_opening_each_destination_once_the_new_kit_is_printed(
    destination_make: DestinationMaker,
    local_destination: Path,
    rclone_append_only: RcloneServer,
    tmp_path: Path,
) -> None:
    usb = destination_make("usb", local_destination)
    nas = destination_make("nas", rclone_append_only.repository("nas"), append_only=True)
    # The trusted pruning machine got its own password beforehand (README).
    pruner_file = tmp_path / "pruner.txt"
    pruner_file.write_text("mot de passe de la machine de confiance\n")
    repository_key_add(name="nas", password_file=pruner_file)
    assert [r.outcome for r in backup_run()] == [Outcome.SUCCESS, Outcome.SUCCESS]
    old_master = current_master_key()
    _kit(tmp_path)  # the old key's kit: it does not count for the new key
    master_key_rotate()
    assert len(_old_kit_warnings()) == 2  # the status says the old kit still opens both

    with pytest.raises(Conflict, match="kit"):
        keys_retire()
    assert _opens(usb, old_master) and _opens(nas, old_master)

    _kit(tmp_path)
    results = {result.destination: result for result in keys_retire()}

    assert results["usb"].retired and not _opens(usb, old_master)
    assert len(repository_for(usb).snapshots()) == 1  # the current kit opens it, backups intact
    # The append-only server: the operator is told what to run, and where; nothing is attempted.
    assert not results["nas"].retired and _opens(nas, old_master)
    assert "machine" in results["nas"].message and results["nas"].key_id in results["nas"].message
    assert len(_old_kit_warnings()) == 1
    assert sorted(_retired()) == [("nas", "refused"), ("usb", "removed")]

    # On the trusted machine, with its own password, on the served directory itself.
    trusted = Repository(
        str(rclone_append_only.directory / "nas"),
        pruner_file.read_text().strip(),
        cache_dir=tmp_path / "trusted-cache",
    )
    trusted.key_remove(results["nas"].key_id)

    assert [result.retired for result in keys_retire()] == [True]
    assert not _opens(nas, old_master) and _opens(nas, current_master_key())
    assert _retired()[-1] == ("nas", "already-absent")
    assert _old_kit_warnings() == [] and keys_retire() == []
    assert len(trusted.snapshots()) == 1  # the pruning machine's own key was left alone
    assert [r.outcome for r in backup_run()] == [Outcome.SUCCESS, Outcome.SUCCESS]


def test_two_rotations_then_one_retirement_remove_both_old_keys(
    destination_make: DestinationMaker, local_destination: Path, tmp_path: Path
) -> None:
    usb = destination_make("usb", local_destination)
    backup_run()
    first = current_master_key()
    master_key_rotate()
    second = current_master_key()
    master_key_rotate()
    _kit(tmp_path)

    assert [result.retired for result in keys_retire()] == [True, True]

    assert not _opens(usb, first) and not _opens(usb, second) and _opens(usb, current_master_key())


def test_the_key_the_current_master_key_opens_is_never_removed(
    destination_make: DestinationMaker, local_destination: Path, tmp_path: Path
) -> None:
    usb = destination_make("usb", local_destination)
    backup_run()
    _kit(tmp_path)
    # As after the old kit was recovered over a database from after the rotation.
    current = repository_for(usb).key_current()
    RetiringKey.objects.create(destination=usb, key_id=current, master_fingerprint="ANCIENNE")

    [result] = keys_retire()

    assert result.retired and "conservée" in result.message
    assert len(repository_for(usb).snapshots()) == 1
    assert _retired() == [("usb", "current-key-kept")] and _old_kit_warnings() == []


def test_an_unreachable_destination_keeps_its_old_key_pending_and_says_why(
    destination_make: DestinationMaker, tmp_path: Path
) -> None:
    with rclone_serving(tmp_path / "rclone", append_only=False) as server:
        destination_make("nas", server.repository(), append_only=False)
        backup_run()
        master_key_rotate()
        _kit(tmp_path)
        server.stop()

        [result] = keys_retire()

        assert not result.retired and result.message
        assert _retired() == [("nas", "unreachable")] and len(_old_kit_warnings()) == 1
        server.start()
        assert [result.retired for result in keys_retire()] == [True]
        assert _retired()[-1] == ("nas", "removed") and _old_kit_warnings() == []


def test_the_command_refuses_before_the_new_kit_and_removes_nothing(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    usb = destination_make("usb", local_destination)
    backup_run()
    old_master = current_master_key()
    master_key_rotate()

    with pytest.raises(CommandError, match="kit de secours"):
        call_command("backup", "key-retire")

    assert _opens(usb, old_master)
    assert not Event.objects.filter(action=Action.BACKUP_KEY_RETIRED).exists()
