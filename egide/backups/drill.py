"""The restore drill (issue 6, item 4): prove, every week, that the latest backup restores.

1. restore the latest snapshot of a destination into a private scratch directory and check every
   checksum of its manifest;
2. lay it out as a throwaway installation: its own data directory and heads directory, and its own
   key directory made of the snapshot's wrapped keyring, the live shredding journal merged with the
   snapshot's, and a copy of the live master key file. That key directory lives inside the live
   key directory (same protection as the key itself), never in the restored copy, and is deleted
   when the drill ends, whatever happens. PostgreSQL: the dump goes into a temporary database;
3. open it with a throwaway Égide process (`egide manage drill_probe`): the keyring must open with
   the current master key, a random sample of patients and documents must decrypt, and the row
   counts must equal the manifest's. The RTO is the time from the start to this point: a usable
   instance;
4. run `egide audit verify` on it (the journal and its exported heads);
5. record a DrillRun (outcome, RTO, snapshot, message) and an audit event. A failed drill is
   recorded, never raised: the status page turns unhealthy and says why.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.backups.errors import BackupFault
from egide.backups.models import BackupRun, Destination, DrillRun
from egide.backups.models import Outcome as RunOutcome
from egide.backups.restore import (
    TARGET_DATA,
    TARGET_HEADS,
    RestoreError,
    Source,
    copy_private,
    database_place,
    database_vendor,
    egide_subprocess,
    master_key_required,
    place_tree,
    repository_open,
    restored_env,
    scratch_directory,
    snapshot_fetch,
    snapshot_pick,
)
from egide.backups.staging import MANIFEST_FILE
from egide.crypto import runtime
from egide.crypto.errors import CryptoError
from egide.crypto.files import ensure_private_dir
from egide.crypto.shredding import ShreddingJournal

logger = logging.getLogger(__name__)

DRILL_SAMPLE = 25
DRILL_TIMEOUT_SECONDS = 3600


class DrillFailed(Exception):
    """What the drill found wrong, in French, for the DrillRun and the status page."""


@dataclass(frozen=True)
class DrillResult:
    snapshot_id: str
    rto_seconds: float
    message: str


def _destination_pick(destination: Destination | None) -> Destination:
    if destination is not None:
        return destination
    # The destination with the newest good backup: the one a restore would start from.
    newest = (
        BackupRun.objects.filter(outcome=RunOutcome.SUCCESS, destination__enabled=True)
        .exclude(snapshot_id="")
        .select_related("destination")
        .order_by("-started_at")
        .first()
    )
    chosen = newest.destination if newest is not None else Destination.objects.order_by("name").first()
    if chosen is None:
        raise DrillFailed("Aucune destination de sauvegarde n'est configurée : rien à restaurer.")
    return chosen


def drill_run(*, destination: Destination | None = None, sample: int = DRILL_SAMPLE) -> DrillRun:
    """Run one restore drill on `destination` (default: the one with the newest good backup); the
    result, good or bad, is recorded as a DrillRun and an audit event, and returned."""
    started = timezone.now()
    clock = time.monotonic()
    outcome, message, snapshot_id, rto = RunOutcome.FAILURE, "", "", None
    chosen: Destination | None = None
    try:
        chosen = _destination_pick(destination)
        result = _drill(chosen, clock, sample)
    except DrillFailed as failure:
        message = str(failure)
    except (RestoreError, BackupFault) as error:
        message = error.describe()
    except (CryptoError, OSError) as error:
        message = f"Exercice de restauration interrompu : {error}"
    except Exception as error:  # recorded as a failed drill, never a stale good one
        # The kind only: an error's own text may quote restored rows.
        logger.error("restore drill stopped by an unexpected %s", type(error).__name__)
        message = f"Exercice de restauration interrompu : {type(error).__name__}"
    else:
        outcome, message, snapshot_id, rto = (
            RunOutcome.SUCCESS,
            result.message,
            result.snapshot_id,
            result.rto_seconds,
        )
    with transaction.atomic():
        run = DrillRun.objects.create(
            destination=chosen,
            started_at=started,
            finished_at=timezone.now(),
            outcome=outcome,
            rto_seconds=rto,
            snapshot_id=snapshot_id,
            message=message,
        )
        audit_record(
            action=Action.DRILL_RUN,
            outcome=Outcome.SUCCESS if outcome == RunOutcome.SUCCESS else Outcome.FAILURE,
            actor_label="egide backup drill",
            subject_type="backup-drill",
            subject_id=run.pk,
        )
    log = logger.info if outcome == RunOutcome.SUCCESS else logger.error
    log("Exercice de restauration %s : %s (RTO %s s)", run.pk, outcome, rto)
    return run


def _drill(destination: Destination, clock: float, sample: int) -> DrillResult:
    master = master_key_required()
    source = Source(destination.name, destination.restic_location(), destination.restic_env())
    repository = repository_open(source, master)
    snapshot_id, _when = snapshot_pick(repository, None)
    with scratch_directory(Path(tempfile.gettempdir())) as scratch, _throwaway_keys() as key_dir:
        root, manifest = snapshot_fetch(repository, snapshot_id, scratch / "snapshot")
        instance = scratch / "instance"
        data_dir = instance / TARGET_DATA
        ensure_private_dir(data_dir)
        with _throwaway_database(database_vendor(root)) as database_url:
            database_place(root, data_dir, database_url=database_url)
            place_tree(root / "blobs", data_dir / "blobs")
            place_tree(root / "audit-heads", instance / TARGET_HEADS)
            _keys_place(root, key_dir)
            env = restored_env(instance, key_dir=key_dir, database_url=database_url)
            probe = _probe(env, sample, root / MANIFEST_FILE)
            rto = time.monotonic() - clock
            _verify(env)
    return DrillResult(
        snapshot_id,
        rto,
        f"Sauvegarde {snapshot_id[:8]} restaurée et ouverte en {rto:.0f} s ; journal intègre ; "
        f"{probe['patients']} patient(s) et {probe['documents']} document(s) déchiffrés sur "
        f"l'échantillon ; comptes conformes au manifeste ({len(manifest.counts)} tables).",
    )


@contextmanager
def _throwaway_keys() -> Iterator[Path]:
    """A private key directory for the throwaway instance, inside the live key directory (never
    in the restored copy), removed when the drill ends."""
    path = runtime.key_dir() / f"exercice-{uuid.uuid4().hex[:12]}"
    ensure_private_dir(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _keys_place(root: Path, key_dir: Path) -> None:
    """The live master key file (copied, 0600), the snapshot's wrapped keyring, and the live
    shredding journal merged with the snapshot's."""
    master_file = runtime.master_file_path()
    copy_private(master_file, key_dir / master_file.name)
    keyring = root / "keys" / runtime.KEYRING_FILE
    if not keyring.is_file():
        raise DrillFailed("La sauvegarde ne contient pas le trousseau (keyring.wrapped).")
    copy_private(keyring, key_dir / runtime.KEYRING_FILE)
    journal = ShreddingJournal(key_dir / runtime.JOURNAL_FILE)
    live_journal = runtime.shredding_journal().path
    if live_journal.exists():
        journal.merge_from(live_journal)
    snapshot_journal = root / "keys" / runtime.JOURNAL_FILE
    if snapshot_journal.exists():
        journal.merge_from(snapshot_journal)


@contextmanager
def _throwaway_database(vendor: str) -> Iterator[str | None]:
    """PostgreSQL: a temporary database on the live server (dropped afterwards); SQLite: none."""
    if vendor != "postgresql":
        yield None
        return
    import psycopg
    from psycopg import sql

    url = os.environ.get("EGIDE_DATABASE_URL", "")
    if not url or connection.vendor != "postgresql":
        raise DrillFailed(
            "Cette sauvegarde vient d'une installation PostgreSQL : l'exercice a besoin "
            "d'EGIDE_DATABASE_URL pour créer une base temporaire."
        )
    name = f"egide_exercice_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with suppress(psycopg.Error), psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "erreur inconnue"


def _probe(env: dict[str, str], sample: int, manifest: Path) -> dict[str, Any]:
    result = egide_subprocess(
        "manage",
        "drill_probe",
        "--sample",
        str(sample),
        "--manifest",
        str(manifest),
        env=env,
        timeout=DRILL_TIMEOUT_SECONDS,
    )
    if result.returncode != 0:
        raise DrillFailed(f"L'instance restaurée ne s'ouvre pas : {_last_line(result.stderr)}")
    probe: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if probe["problems"]:
        problems = " ; ".join(probe["problems"][:5])
        raise DrillFailed(f"L'instance restaurée ne correspond pas à la sauvegarde : {problems}")
    return probe


def _verify(env: dict[str, str]) -> None:
    result = egide_subprocess("audit", "verify", env=env, timeout=DRILL_TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise DrillFailed(f"Journal de la sauvegarde NON intègre : {_last_line(result.stderr)}")
