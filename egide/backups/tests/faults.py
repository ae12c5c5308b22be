"""What every backup fault must show (issue 6, item 7): a French message, an audit event, an
unhealthy status, and nothing presented as a good backup."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from egide.audit.models import Event
from egide.backups.errors import FAULT_MESSAGES, FaultKind
from egide.backups.models import BackupRun, Destination, Outcome
from egide.backups.selectors import backup_status
from egide.backups.services import BackupRunResult, repository_for

WAIT_SECONDS = 30.0


def assert_fault_shown(results: list[BackupRunResult], destination: Destination, kind: FaultKind) -> None:
    message = str(FAULT_MESSAGES[kind])
    failed = [result for result in results if result.destination == destination.name]
    assert [(r.outcome, r.fault_kind, r.message, r.good) for r in failed] == [
        (Outcome.FAILURE, kind, message, False)
    ]
    run = BackupRun.objects.filter(destination=destination).order_by("-started_at").first()
    assert run is not None and run.outcome == Outcome.FAILURE and run.snapshot_id == ""
    event = (
        Event.objects.filter(action="backups:backup:run", subject_id=destination.name).order_by("-id").first()
    )
    assert event is not None and event.outcome == "failure" and event.justification == kind
    status = backup_status()
    assert not status.healthy
    assert any(message in reason and destination.name in reason for reason in status.reasons)
    assert not next(d for d in status.destinations if d.name == destination.name).healthy


def assert_good_again(results: list[BackupRunResult], destination: Destination) -> None:
    result = next(result for result in results if result.destination == destination.name)
    assert (result.outcome, result.good, result.message) == (Outcome.SUCCESS, True, "")
    snapshot_ids = [snapshot.id for snapshot in repository_for(destination).snapshots()]
    assert result.snapshot_id in snapshot_ids
    status = next(d for d in backup_status().destinations if d.name == destination.name)
    assert status.healthy and status.problems == []


def good_snapshot_ids(destination: Destination) -> set[str]:
    return set(
        BackupRun.objects.filter(destination=destination, outcome=Outcome.SUCCESS).values_list(
            "snapshot_id", flat=True
        )
    )


def restic_children(parent: int) -> list[int]:
    """restic processes started by ``parent`` (from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last parenthesis.
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if comm == "restic" and ppid == parent:
            found.append(int(entry.name))
    return found


def live_locks(repository_dir: Path) -> list[str]:
    locks = repository_dir / "locks"
    try:
        return [name for name in os.listdir(locks) if "-tmp-" not in name]
    except FileNotFoundError:
        return []


def signal_when_locked(repository_dir: Path, sig: signal.Signals) -> int:
    """Wait until a restic child of this process holds a lock on ``repository_dir``, then send it
    ``sig``; return its pid."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        children = restic_children(os.getpid())
        if children and live_locks(repository_dir):
            os.kill(children[0], sig)
            return children[0]
    raise AssertionError("restic never locked the repository")
