from __future__ import annotations

import shutil
from pathlib import Path

from egide.audit.models import Event
from egide.backups.models import BackupRun, Outcome
from egide.backups.selectors import backup_status
from egide.backups.services import backup_run
from egide.backups.tests.conftest import DestinationMaker


def test_a_removable_disk_is_backed_up_when_plugged_in_and_skipped_quietly_otherwise(
    destination_make: DestinationMaker, local_destination: Path, tmp_path: Path
) -> None:
    destination_make("usb", local_destination, offline=True)
    # The disk is taken away: its folder is no longer under the mount point.
    shutil.move(local_destination, tmp_path / "in-the-drawer")

    results = backup_run()

    assert [(r.destination, r.outcome, r.message != "") for r in results] == [("usb", Outcome.SKIPPED, True)]
    assert not any(status.problems for status in backup_status().destinations)
    assert Event.objects.filter(action="backups:backup:skipped", subject_id="usb").exists()

    shutil.move(tmp_path / "in-the-drawer", local_destination)
    results = backup_run()

    assert [(r.destination, r.good) for r in results] == [("usb", True)]
    status = backup_status().destinations[0]
    assert status.last_seen_at is not None and status.healthy
    assert BackupRun.objects.filter(outcome=Outcome.FAILURE).count() == 0
