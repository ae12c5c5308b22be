"""The restic wrapper: secrets out of argument lists, fast and clear failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from egide.backups.errors import BackupFault
from egide.backups.restic import Repository, redact
from egide.backups.tests.conftest import RcloneServer


def test_it_keeps_passwords_out_of_logged_locations() -> None:
    assert (
        redact("rest:https://egide:s3cret@nas.local:8000/egide/") == "rest:https://***@nas.local:8000/egide/"
    )


def test_an_append_only_server_refuses_deletion_at_once_and_keeps_the_snapshot(
    rclone_append_only: RcloneServer, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "file").write_bytes(b"x" * 100)
    repository = Repository(rclone_append_only.repository(), "password", cache_dir=tmp_path / "cache")
    repository.init_if_needed()
    first = repository.backup(source, tags=["egide"])
    second = repository.backup(source, tags=["egide"])
    started = time.monotonic()

    with pytest.raises(BackupFault) as refused:
        repository.forget(keep_daily=1, keep_weekly=0, keep_monthly=0, prune=True)

    # Same day: the daily rule would forget the first one. restic alone would retry the 403 for
    # about 45 s before giving up.
    assert refused.value.kind == "refused" and time.monotonic() - started < 20
    assert [s.id for s in repository.snapshots()] == [first.id, second.id]
    assert second.tags == ("egide",) and second.time >= first.time


def test_a_missing_repository_is_created_once(tmp_path: Path) -> None:
    repository = Repository(str(tmp_path / "repo"), "password", cache_dir=tmp_path / "cache")

    assert not repository.exists()
    repository.init_if_needed()
    repository.init_if_needed()

    assert repository.exists() and repository.snapshots() == []
