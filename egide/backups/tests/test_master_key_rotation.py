"""After a new master key, every destination opens with the new kit, and the old backups too."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit.models import Event
from egide.backups.models import Outcome
from egide.backups.services import backup_run, destination_enable, repository_for
from egide.backups.tests.conftest import DestinationMaker, RcloneServer
from egide.crypto.errors import KeyStoreError
from egide.crypto.runtime import current_master_key
from egide.crypto.selectors import master_key_fingerprint
from egide.crypto.services import master_key_rotate


def test_each_destination_opens_with_the_new_master_key_and_keeps_its_snapshots(
    destination_make: DestinationMaker, local_destination: Path, rclone_append_only: RcloneServer
) -> None:
    destination_make("usb", local_destination)
    nas = destination_make("nas", rclone_append_only.repository())
    before = backup_run()
    old_master = current_master_key()

    master_key_rotate()

    after = backup_run()
    assert [r.outcome for r in before + after] == [Outcome.SUCCESS] * 4
    snapshots = repository_for(nas).snapshots()  # opened with the new key's password
    assert len(snapshots) == 2
    assert len(repository_for(nas, old_master).snapshots()) == 2  # the old kit still opens it
    added = Event.objects.filter(subject_type="backup-destination", justification="master-key-added")
    assert sorted(added.values_list("subject_id", flat=True)) == ["nas", "usb"]


def test_an_unreachable_destination_stops_the_rotation_with_nothing_changed(
    destination_make: DestinationMaker, local_destination: Path, rclone_server: RcloneServer
) -> None:
    destination_make("usb", local_destination)
    destination_make("nas", rclone_server.repository())
    fingerprint = master_key_fingerprint(current_master_key())
    rclone_server.stop()

    with pytest.raises(KeyStoreError, match=r"« nas ».*La clé maîtresse n'a pas changé"):
        master_key_rotate()

    assert master_key_fingerprint(current_master_key()) == fingerprint
    rclone_server.start()
    assert [r.outcome for r in backup_run()] == [Outcome.SUCCESS, Outcome.SUCCESS]


def test_a_disabled_destination_follows_too_and_stops_the_rotation_when_unreachable(
    destination_make: DestinationMaker, local_destination: Path, rclone_server: RcloneServer
) -> None:
    usb = destination_make("usb", local_destination)
    destination_make("nas", rclone_server.repository())
    backup_run()
    destination_enable(name="usb", enabled=False)
    destination_enable(name="nas", enabled=False)
    fingerprint = master_key_fingerprint(current_master_key())
    rclone_server.stop()

    # Left behind, it would open only with the old kit, which the operator is about to put away.
    with pytest.raises(KeyStoreError, match=r"suspendue « nas ».*destination remove nas"):
        master_key_rotate()

    assert master_key_fingerprint(current_master_key()) == fingerprint
    rclone_server.start()
    master_key_rotate()
    assert len(repository_for(usb).snapshots()) == 1  # the disabled disk opens with the new kit
