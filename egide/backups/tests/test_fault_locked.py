from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from egide.backups.passwords import current_repository_password
from egide.backups.services import backup_run
from egide.backups.tests.conftest import DestinationMaker
from egide.backups.tests.faults import assert_fault_shown, assert_good_again, signal_when_locked


def test_it_reports_a_repository_locked_by_a_running_operation_then_clears_its_stale_lock(
    destination_make: DestinationMaker, local_destination: Path, tmp_path: Path
) -> None:
    usb = destination_make("usb", local_destination)
    # A real restic operation holding the exclusive lock (a check, as a trusted machine's prune
    # would), frozen mid-run so the lock is live.
    holder = subprocess.Popen(
        ["restic", "check", "--no-cache"],
        env={
            "PATH": "/usr/bin:/bin",
            "RESTIC_REPOSITORY": str(local_destination),
            "RESTIC_PASSWORD": current_repository_password("usb"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        signal_when_locked(local_destination, signal.SIGSTOP)

        assert_fault_shown(backup_run(), usb, "locked")
    finally:
        # The operation dies without releasing its lock (SIGKILL): a stale lock stays behind.
        holder.kill()
        holder.wait()

    assert_good_again(backup_run(), usb)
