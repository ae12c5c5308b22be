from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from egide.backups.services import backup_run
from egide.backups.tests.conftest import DestinationMaker
from egide.backups.tests.faults import assert_fault_shown, assert_good_again


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs; the tests run as root), standing for a full USB disk."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_it_reports_a_full_disk_and_backs_up_once_there_is_room(
    destination_make: DestinationMaker, small_disk: Path
) -> None:
    usb = destination_make("usb", small_disk / "egide")
    blobs = Path(settings.DATA_DIR) / "blobs"
    blobs.mkdir(mode=0o700, exist_ok=True)
    # More encrypted (incompressible) documents than the disk holds.
    (blobs / "large-document").write_bytes(os.urandom(4 * 1024 * 1024))

    assert_fault_shown(backup_run(), usb, "disk-full")

    subprocess.run(["mount", "-o", "remount,size=32m", str(small_disk)], check=True)
    assert_good_again(backup_run(), usb)
