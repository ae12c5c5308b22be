from __future__ import annotations

from pathlib import Path

from egide.backups.services import backup_run
from egide.backups.tests.conftest import DestinationMaker, RcloneServer
from egide.backups.tests.faults import assert_fault_shown, assert_good_again


def test_it_reports_an_unreachable_server_and_backs_up_once_it_is_back(
    destination_make: DestinationMaker, rclone_server: RcloneServer, local_destination: Path
) -> None:
    remote = destination_make("nas", rclone_server.repository())
    local = destination_make("usb", local_destination)
    rclone_server.stop()

    results = backup_run()

    assert_fault_shown(results, remote, "unreachable")
    # The other destination is backed up all the same.
    assert_good_again(results, local)

    rclone_server.start()
    assert_good_again(backup_run(), remote)
