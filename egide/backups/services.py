"""Backups: destinations, runs, checks and retention (every write of the part).

A backup is *good* only when restic exited 0 **and** the check right after it passed; anything
else is recorded as a failure with its French reason, never as a backup. Network and restic work
happen outside transactions; each result is recorded with its audit event in one transaction.
"""

from __future__ import annotations

import fcntl
import functools
import logging
import os
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from egide.accounts.models import Practice
from egide.audit.actions import Action
from egide.audit.actions import Outcome as AuditOutcome
from egide.audit.recording import Actor, audit_record
from egide.backups.errors import BackupFault
from egide.backups.models import BackupRun, CheckRun, Destination, DestinationKind, Outcome
from egide.backups.passwords import repository_password
from egide.backups.restic import Repository, Snapshot
from egide.backups.sftp import sftp_address
from egide.backups.staging import Manifest, stage
from egide.core.errors import Conflict, Forbidden, Invalid, NotFound
from egide.crypto.hierarchy import MasterKey
from egide.crypto.runtime import current_master_key

logger = logging.getLogger(__name__)
T = TypeVar("T")

STAGING_DIR = "backup-staging"
LOCK_FILE = "backup.lock"
SNAPSHOT_TAG = "egide"
# How long the presence probe of an offline network destination waits for an answer.
PROBE_TIMEOUT_SECONDS = 3.0
_LOCATION_PREFIX = {
    DestinationKind.REST: ("rest:http://", "rest:https://"),
    DestinationKind.SFTP: ("sftp:",),
    DestinationKind.S3: ("s3:",),
}


@dataclass(frozen=True)
class BackupRunResult:
    destination: str
    outcome: str
    snapshot_id: str
    fault_kind: str
    message: str

    @property
    def good(self) -> bool:
        return self.outcome == Outcome.SUCCESS and bool(self.snapshot_id)


@dataclass(frozen=True)
class CheckRunResult:
    destination: str
    outcome: str
    read_data_subset: str
    fault_kind: str
    message: str


# --- destinations ----------------------------------------------------------------------------


def repository_for(destination: Destination, master: MasterKey | None = None) -> Repository:
    """The destination's restic repository, opened with its password (derived, never stored)."""
    master = master or current_master_key()
    return Repository(
        destination.restic_location(),
        repository_password(master, destination.name),
        env=destination.restic_env(),
    )


def _location_validate(kind: str, location: str) -> str:
    location = location.strip()
    if kind == DestinationKind.LOCAL:
        if not location.startswith("/"):
            raise Invalid(fields={"location": [_("Give the full path of the folder, starting with /.")]})
        data_dir = Path(settings.DATA_DIR).resolve()
        path = Path(location).resolve()
        if path == data_dir or data_dir in path.parents:
            raise Invalid(
                fields={"location": [_("A backup cannot be kept inside the data directory it protects.")]}
            )
        return str(path)
    prefixes = _LOCATION_PREFIX.get(DestinationKind(kind), ())
    if not location.startswith(prefixes):
        raise Invalid(
            fields={
                "location": [
                    _("This address does not match the destination type: it must start with %(prefix)s.")
                    % {"prefix": " / ".join(prefixes)}
                ]
            }
        )
    if kind == DestinationKind.SFTP:
        try:
            sftp_address(location)
        except ValueError:
            # Also refuses an account or a host ssh would read as an option (-oProxyCommand=...).
            raise Invalid(
                fields={
                    "location": [
                        _(
                            "Write the SFTP address as sftp:account@server:/folder or "
                            "sftp://account@server:port//folder, without a password."
                        )
                    ]
                }
            ) from None
    if (
        kind in (DestinationKind.REST, DestinationKind.S3)
        and "@" in urlsplit(location.split(":", 1)[1]).netloc
    ):
        # Credentials in the address would sit in clear in the database and in every backup.
        raise Invalid(
            fields={
                "location": [
                    _(
                        "Do not put an account or a password in the address: write them in the "
                        "destination's credentials file on the server (see the README)."
                    )
                ]
            }
        )
    return location


def practices_manage_destinations() -> bool:
    """Whether a practice's administrator may change the destinations (on the web).

    Backups are the installation's, not one practice's: every practice hosted on the server is in
    each snapshot. On an installation of its own, the practice's administrator is its operator; on
    one shared by several practices (an IT provider's), only the installation's operator, who runs
    `egide backup destination ...` on the server (``actor`` None), changes where the backups of all
    of them go. The status stays readable by each practice's administrator and DPO.
    """
    return Practice.objects.count() <= 1


def operator_check(actor: Actor | None, name: str) -> None:
    if actor is None or practices_manage_destinations():
        return
    with transaction.atomic():
        audit_record(
            action=Action.BACKUP_DESTINATION_CHANGED,
            outcome=AuditOutcome.DENIED,
            actor=actor,
            subject_type="backup-destination",
            # The name as typed is kept only when it is a valid one: the journal is never erased.
            subject_id=name if len(name) <= 50 and slugify(name) == name else "",
            justification="shared-installation",
        )
    raise Forbidden(
        _(
            "This installation hosts several practices: its backup destinations are managed by its "
            "operator, on the server (« egide backup destination »). Nothing was changed."
        )
    )


def destination_add(
    *,
    actor: Actor | None = None,
    name: str,
    kind: str,
    location: str,
    append_only: bool = False,
    offline: bool = False,
    offline_warn_days: int = 7,
) -> Destination:
    """Register a destination and create its restic repository there (or open the existing one).

    The repository must be reachable now (an offline disk plugged in): a destination Égide has
    never opened is not added.
    """
    operator_check(actor, name)
    if kind not in DestinationKind.values:
        raise Invalid(fields={"kind": [_("Unknown destination type.")]})
    if not name or slugify(name) != name:
        raise Invalid(
            fields={"name": [_("Use lower-case letters, digits and hyphens only (for example « usb-1 »).")]}
        )
    if offline_warn_days < 1:
        raise Invalid(fields={"offline_warn_days": [_("Give a number of days of at least 1.")]})
    location = _location_validate(kind, location)
    if Destination.objects.filter(name=name).exists():
        raise Conflict(_("A destination with this name already exists."))
    destination = Destination(
        name=name,
        kind=kind,
        location=location,
        append_only=append_only,
        offline=offline,
        offline_warn_days=offline_warn_days,
    )
    # Outside the transaction: restic may take seconds (network, key derivation).
    repository_for(destination).init_if_needed()
    with transaction.atomic():
        destination.save(force_insert=True)
        audit_record(
            action=Action.BACKUP_DESTINATION_ADDED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=destination.name,
        )
    logger.info("backup destination %s added (%s)", destination.name, destination.kind)
    return destination


def _destination_get(name: str, *, lock: bool = False) -> Destination:
    queryset = Destination.objects.select_for_update() if lock else Destination.objects
    destination = queryset.filter(name=name).first()
    if destination is None:
        raise NotFound(_("No backup destination has this name."))
    return destination


def destination_enable(*, actor: Actor | None = None, name: str, enabled: bool) -> Destination:
    operator_check(actor, name)
    with transaction.atomic():
        destination = _destination_get(name, lock=True)
        destination.enabled = enabled
        destination.save(update_fields=["enabled"])
        audit_record(
            action=Action.BACKUP_DESTINATION_CHANGED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=destination.name,
            justification="enabled" if enabled else "disabled",
        )
    return destination


def destination_remove(*, actor: Actor | None = None, name: str) -> None:
    """Forget a destination in Égide; its repository and snapshots are left where they are."""
    operator_check(actor, name)
    with transaction.atomic():
        destination = _destination_get(name, lock=True)
        destination.delete()
        audit_record(
            action=Action.BACKUP_DESTINATION_REMOVED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=name,
        )


# --- presence of offline destinations ------------------------------------------------------------


def _network_address(location: str) -> tuple[str, int] | None:
    """Host and port of a rest:/s3:/sftp: location, for a presence probe."""
    raw = location.split(":", 1)[1]
    if raw.startswith(("http://", "https://", "sftp://")) or "://" in raw:
        parts = urlsplit(raw)
        default = {"https": 443, "http": 80, "sftp": 22}.get(parts.scheme, 443)
        return (parts.hostname, parts.port or default) if parts.hostname else None
    # sftp:user@host:/path, or s3:host/bucket
    match = re.match(r"(?:[^@/]+@)?([^:/]+)", raw)
    if match is None:
        return None
    return match[1], 22 if location.startswith("sftp:") else 443


def destination_present(destination: Destination) -> bool:
    """An offline destination is present when its repository can be reached now: the disk's
    repository folder exists (a mount point without the disk has none), or the server answers."""
    if destination.kind == DestinationKind.LOCAL:
        return (Path(destination.location) / "config").is_file()
    address = _network_address(destination.location)
    if address is None:
        return False
    try:
        with socket.create_connection(address, timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


# --- backup runs -------------------------------------------------------------------------------


@contextmanager
def backup_lock() -> Iterator[None]:
    """One backup (or check, or retention) at a time on this installation, across processes."""
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_("A backup is already running. Wait for it to finish.")) from None
        yield
    finally:
        os.close(fd)


def _interrupted_runs_close() -> None:
    """Runs still "running" while we hold the lock belong to a process that died (power cut,
    SIGKILL): they are failures, and their snapshot, if restic wrote one, is not a good backup."""
    now = timezone.now()
    for run in BackupRun.objects.filter(outcome=Outcome.RUNNING).select_related("destination"):
        fault = BackupFault("interrupted", detail="the process running this backup stopped")
        _run_finish(run, now=now, fault=fault)


def _run_finish(
    run: BackupRun,
    *,
    now: datetime,
    snapshot: Snapshot | None = None,
    fault: BackupFault | None = None,
    snapshot_count: int = 0,
    actor: Actor | None = None,
) -> None:
    run.finished_at = now
    if fault is None and snapshot is not None:
        run.outcome = Outcome.SUCCESS
        run.snapshot_id = snapshot.id
        run.snapshot_time = snapshot.time
        run.bytes_added = snapshot.bytes_added
        run.snapshot_count = snapshot_count
        run.message = ""
    else:
        run.fail(fault or BackupFault("failed"))
    with transaction.atomic():
        run.save()
        audit_record(
            action=Action.BACKUP_RUN,
            outcome=AuditOutcome.SUCCESS if run.outcome == Outcome.SUCCESS else AuditOutcome.FAILURE,
            actor=actor,
            subject_type="backup-destination",
            subject_id=run.destination.name,
            justification=run.snapshot_id or run.fault_kind,
        )


def _result(run: BackupRun) -> BackupRunResult:
    return BackupRunResult(
        destination=run.destination.name,
        outcome=run.outcome,
        snapshot_id=run.snapshot_id,
        fault_kind=run.fault_kind,
        message=run.message,
    )


def _skip(destination: Destination, actor: Actor | None) -> BackupRunResult:
    now = timezone.now()
    with transaction.atomic():
        run = BackupRun.objects.create(
            destination=destination,
            started_at=now,
            finished_at=now,
            outcome=Outcome.SKIPPED,
            message=str(_("The destination is not connected: no backup this time.")),
        )
        audit_record(
            action=Action.BACKUP_SKIPPED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=destination.name,
        )
    return _result(run)


def unlocking_stale(repository: Repository, operation: Callable[[], T]) -> T:
    """Run ``operation``; when the repository is locked, remove the *stale* locks (processes
    that died: power cut, SIGKILL) and try once more. A live operation's lock is left alone:
    restic's ``unlock`` only removes stale ones, so the second attempt fails as "locked"."""
    try:
        return operation()
    except BackupFault as fault:
        if fault.kind != "locked":
            raise
    logger.warning("repository %r locked: removing stale locks and trying again", repository)
    repository.unlock()
    return operation()


def _backup_one(
    destination: Destination,
    staging: Path,
    master: MasterKey,
    actor: Actor | None,
    progress: Callable[[str, float], None] | None,
) -> BackupRunResult:
    if destination.offline and not destination_present(destination):
        return _skip(destination, actor)
    # Committed before restic starts: a process killed mid-backup leaves a "running" row that the
    # next run closes as interrupted, never a silent gap.
    run = BackupRun.objects.create(destination=destination, started_at=timezone.now())
    repository = repository_for(destination, master)
    try:
        added = unlocking_stale(
            repository,
            lambda: repository.backup_only(
                staging,
                tags=[SNAPSHOT_TAG],
                progress=(lambda fraction: progress(destination.name, fraction)) if progress else None,
            ),
        )
        # The quick check: the repository's structure is sound after adding this snapshot.
        listing = unlocking_stale(repository, repository.check_and_list)
        snapshot = added.resolve(listing)
    except Exception as error:  # one destination's failure never stops the others
        fault = error if isinstance(error, BackupFault) else BackupFault("failed", detail=repr(error)[:500])
        _run_finish(run, now=timezone.now(), fault=fault, actor=actor)
        logger.error("backup to %s failed: %s", destination.name, fault.kind)
    else:
        _run_finish(
            run,
            now=timezone.now(),
            snapshot=snapshot,
            snapshot_count=len(listing),
            actor=actor,
        )
        logger.info("backup to %s: snapshot %s", destination.name, snapshot.short_id)
    return _result(run)


def backup_run(
    *, actor: Actor | None = None, progress: Callable[[str, float], None] | None = None
) -> list[BackupRunResult]:
    """Back up the installation to every enabled destination, one result per destination.

    Stages once (``staging.stage``) under the data directory, then backs up and checks each
    destination in turn; a failure at one never stops the others. The staging directory is
    always removed. Offline destinations that are not connected are skipped quietly.
    """
    destinations = list(Destination.objects.filter(enabled=True))
    if not destinations:
        return []
    with backup_lock():
        _interrupted_runs_close()
        master = current_master_key()
        staging = Path(settings.DATA_DIR) / STAGING_DIR
        # A fixed path: restic finds the previous snapshot of the same path and only reads what
        # changed. A leftover from a run that died is removed first.
        shutil.rmtree(staging, ignore_errors=True)
        try:
            try:
                manifest: Manifest = stage(staging)
            except BackupFault as fault:
                logger.error("backup staging failed: %s", fault.kind)
                return [_staging_failed(destination, fault, actor) for destination in destinations]
            logger.info("backup staged: %s files", len(manifest.files))
            return [
                _backup_one(destination, staging, master, actor, progress) for destination in destinations
            ]
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _staging_failed(destination: Destination, fault: BackupFault, actor: Actor | None) -> BackupRunResult:
    run = BackupRun.objects.create(destination=destination, started_at=timezone.now())
    _run_finish(run, now=timezone.now(), fault=fault, actor=actor)
    return _result(run)


def backup_due(*, now: datetime | None = None) -> bool:
    """Whether the worker should back up now: the interval has passed since the last attempt, or,
    after failures, a back-off delay doubling from BACKUP_RETRY_MINUTES up to the interval."""
    now = now or timezone.now()
    attempts = list(
        BackupRun.objects.exclude(outcome=Outcome.SKIPPED)
        .order_by("-started_at")
        .values_list("started_at", "outcome")[:50]
    )
    if not attempts:
        return Destination.objects.filter(enabled=True).exists()
    interval = timedelta(minutes=int(settings.BACKUP_INTERVAL_MINUTES))
    last_started: datetime = attempts[0][0]
    failures = 0
    for _started, outcome in attempts:
        if outcome != Outcome.FAILURE:
            break
        failures += 1
    if failures:
        delay = min(
            interval, timedelta(minutes=int(settings.BACKUP_RETRY_MINUTES)) * (1 << min(failures - 1, 16))
        )
        return now - last_started >= delay
    return now - last_started >= interval


# --- checks and retention ------------------------------------------------------------------------


def read_data_subset_for(day: datetime) -> str:
    """n/7 by ISO weekday: over any 7 consecutive days every part of the data is read once."""
    return f"{day.isoweekday()}/7"


def check_run(*, actor: Actor | None = None, read_data: bool = True) -> list[CheckRunResult]:
    """Check every enabled, present destination; with ``read_data``, also read back today's
    seventh of the data (``--read-data-subset n/7``)."""
    subset = read_data_subset_for(timezone.localtime()) if read_data else ""
    results: list[CheckRunResult] = []
    with backup_lock():
        master = current_master_key()
        for destination in Destination.objects.filter(enabled=True):
            if destination.offline and not destination_present(destination):
                continue
            run = CheckRun.objects.create(
                destination=destination, started_at=timezone.now(), read_data_subset=subset
            )
            repository = repository_for(destination, master)
            try:
                unlocking_stale(repository, functools.partial(repository.check, subset or None))
                run.size_bytes = repository.size()
            except BackupFault as fault:
                run.fail(fault)
            else:
                run.outcome = Outcome.SUCCESS
            run.finished_at = timezone.now()
            with transaction.atomic():
                run.save()
                audit_record(
                    action=Action.BACKUP_CHECKED,
                    outcome=AuditOutcome.SUCCESS if run.outcome == Outcome.SUCCESS else AuditOutcome.FAILURE,
                    actor=actor,
                    subject_type="backup-destination",
                    subject_id=destination.name,
                    justification=subset or run.fault_kind,
                )
            results.append(CheckRunResult(destination.name, run.outcome, subset, run.fault_kind, run.message))
    return results


def forget_run(*, actor: Actor | None = None, prune: bool = True) -> dict[str, str]:
    """Apply the retention policy on every enabled, present destination that allows deletions.

    Never attempted on append-only destinations: they refuse, and that refusal is their point;
    they are pruned from a separate trusted machine (README). Returns {name: "" or message}.
    """
    outcomes: dict[str, str] = {}
    with backup_lock():
        master = current_master_key()
        for destination in Destination.objects.filter(enabled=True, append_only=False):
            if destination.offline and not destination_present(destination):
                continue
            message = ""
            try:
                repository_for(destination, master).forget(
                    keep_daily=settings.BACKUP_KEEP_DAILY,
                    keep_weekly=settings.BACKUP_KEEP_WEEKLY,
                    keep_monthly=settings.BACKUP_KEEP_MONTHLY,
                    prune=prune,
                )
            except BackupFault as fault:
                message = str(fault.message)
                logger.error("retention on %s failed: %s", destination.name, fault.kind)
            with transaction.atomic():
                audit_record(
                    action=Action.BACKUP_FORGOTTEN,
                    outcome=AuditOutcome.FAILURE if message else AuditOutcome.SUCCESS,
                    actor=actor,
                    subject_type="backup-destination",
                    subject_id=destination.name,
                )
            outcomes[destination.name] = message
    return outcomes


def repository_unlock(*, actor: Actor | None = None, name: str) -> None:
    """Remove the stale locks of a destination's repository (a live operation's lock stays)."""
    destination = _destination_get(name)
    repository_for(destination).unlock()
    with transaction.atomic():
        audit_record(
            action=Action.BACKUP_UNLOCKED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=destination.name,
        )


def repository_key_add(*, actor: Actor | None = None, name: str, password_file: Path) -> None:
    """Give the destination's repository another password (read from ``password_file``): the
    trusted machine that prunes an append-only destination uses its own, never Égide's."""
    destination = _destination_get(name)
    if not password_file.is_file():
        raise Invalid(fields={"password_file": [_("This file does not exist.")]})
    repository_for(destination).key_add(password_file)
    with transaction.atomic():
        audit_record(
            action=Action.BACKUP_DESTINATION_CHANGED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=destination.name,
            justification="key-added",
        )
