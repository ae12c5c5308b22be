from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from egide.audit.models import Event
from egide.backups.models import BackupRun, Outcome
from egide.backups.services import BackupRunResult, backup_run, repository_for
from egide.backups.tests.conftest import DestinationMaker
from egide.backups.tests.faults import assert_fault_shown, assert_good_again, signal_when_locked


def test_a_backup_killed_midway_is_not_a_backup_and_the_next_one_succeeds(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    usb = destination_make("usb", local_destination)
    # An encrypted document's worth of incompressible bytes, so restic is still at work when killed.
    blobs = Path(settings.DATA_DIR) / "blobs"
    blobs.mkdir(mode=0o700, exist_ok=True)
    (blobs / "large-document").write_bytes(os.urandom(8 * 1024 * 1024))
    results: list[BackupRunResult] = []
    worker = threading.Thread(target=lambda: results.extend(backup_run()))
    worker.start()
    signal_when_locked(local_destination, signal.SIGKILL)
    worker.join()

    assert_fault_shown(results, usb, "interrupted")
    assert repository_for(usb).snapshots() == []

    assert_good_again(backup_run(), usb)
    good = BackupRun.objects.filter(destination=usb, outcome=Outcome.SUCCESS)
    assert [snapshot.id for snapshot in repository_for(usb).snapshots()] == [run.snapshot_id for run in good]


def test_a_run_left_unfinished_by_a_dead_process_is_closed_as_interrupted_by_the_next_one(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    usb = destination_make("usb", local_destination)
    # What a power cut during `egide backup run` leaves: a run recorded as started, never finished.
    BackupRun.objects.create(destination=usb, started_at=timezone.now())

    results = backup_run()

    assert [result.good for result in results] == [True]
    dead = BackupRun.objects.filter(destination=usb).order_by("started_at").first()
    assert dead is not None
    assert (dead.outcome, dead.fault_kind, dead.snapshot_id) == (Outcome.FAILURE, "interrupted", "")
    assert Event.objects.filter(
        action="backups:backup:run", outcome="failure", justification="interrupted"
    ).exists()
