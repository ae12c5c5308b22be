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
    # Root mounts it; otherwise password-less sudo (as `make test` needs for apt anyway).
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    mounted = subprocess.run(
        [
            *sudo,
            "mount",
            "-t",
            "tmpfs",
            "-o",
            f"size=3m,mode=0700,uid={os.geteuid()}",
            "tmpfs",
            str(mount_point),
        ],
        capture_output=True,
        check=False,
    )
    assert mounted.returncode == 0, f"a real full disk needs `mount` as root or sudo: {mounted.stderr!r}"
    try:
        yield mount_point
    finally:
        subprocess.run([*sudo, "umount", "-l", str(mount_point)], check=False)


def test_it_reports_a_full_disk_and_backs_up_once_there_is_room(
    destination_make: DestinationMaker, small_disk: Path
) -> None:
    usb = destination_make("usb", small_disk / "egide")
    blobs = Path(settings.DATA_DIR) / "blobs"
    blobs.mkdir(mode=0o700, exist_ok=True)
    # More encrypted (incompressible) documents than the disk holds.
    (blobs / "large-document").write_bytes(os.urandom(4 * 1024 * 1024))

    assert_fault_shown(backup_run(), usb, "disk-full")

    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "mount", "-o", "remount,size=32m", str(small_disk)], check=True)
    assert_good_again(backup_run(), usb)
