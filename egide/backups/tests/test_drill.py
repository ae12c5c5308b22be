"""The restore drill (issue 6, item 4) on a real installation and a real restic repository: a good
backup gives a successful drill with its RTO; a backup whose content was tampered with, or a
damaged repository, gives a failed drill that says why. Both are recorded and audited."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from egide.backups.tests.restore_operator import (
    Operator,
    backup_all,
    destinations_add,
    installation,
    seed_patients,
)

SEEDS = [
    {"name": "Exercice-Un", "first": "Paule", "note": "Note 1.", "document": "Document 1\n"},
    {"name": "Exercice-Deux", "first": "Henri", "note": "Note 2.", "document": "Document 2\n"},
]

DRILL = """
from egide.audit.models import Event
from egide.backups.drill import drill_run
run = drill_run()
event = Event.objects.filter(action="backups:drill:run").order_by("-id").first()
result = {"outcome": run.outcome, "rto": run.rto_seconds, "message": run.message,
          "snapshot": run.snapshot_id, "event_outcome": event.outcome, "event_subject": event.subject_id,
          "id": run.pk}
"""

# An attacker (or a fault) that rewrites the backup consistently: one journal event changed in the
# staged database, the manifest's checksum recomputed, so only the journal's own proofs catch it.
TAMPERED_BACKUP = """
import hashlib, pathlib, sqlite3, tempfile
from dataclasses import replace
from django.db import connection
from egide.audit.services import journal_update
from egide.backups.models import Destination
from egide.backups.passwords import current_repository_password
from egide.backups.restic import Repository
from egide.backups.staging import SQLITE_DUMP, Manifest, stage
TAMPER = (
    "UPDATE audit_event SET actor_label = 'quelqu''un d''autre' WHERE id = (SELECT MIN(id) FROM audit_event)"
)
journal_update(force_head=True)
destination = Destination.objects.get()
if connection.vendor == "postgresql":
    # The dump is binary: alter the journal in the database itself, then back it up as it is.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
        cursor.execute(TAMPER)
        cursor.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
with tempfile.TemporaryDirectory() as scratch:
    staging = pathlib.Path(scratch) / "staging"
    manifest = stage(staging)
    if connection.vendor == "sqlite":
        database = sqlite3.connect(staging / SQLITE_DUMP)
        database.execute("DROP TRIGGER audit_event_no_update")
        database.execute(TAMPER)
        database.commit()
        database.close()
        digest = hashlib.sha256((staging / SQLITE_DUMP).read_bytes()).hexdigest()
        replace(manifest, files={**manifest.files, SQLITE_DUMP: digest}).write(staging)
    repository = Repository(destination.restic_location(), current_repository_password(destination.name))
    repository.init_if_needed()
    result = repository.backup(staging, ["egide"]).id
"""


@pytest.fixture
def practice_with_backup(tmp_path: Path) -> Operator:
    live = installation(tmp_path / "cabinet")
    seed_patients(live, SEEDS)
    destinations_add(live, [("disque", "local", str(tmp_path / "disque"), False)])
    return live


def test_it_restores_opens_and_verifies_the_latest_backup_and_records_the_rto(
    practice_with_backup: Operator,
) -> None:
    live = practice_with_backup
    snapshot = backup_all(live)["disque"]

    drill = live.python(DRILL)

    assert drill["outcome"] == "success", drill["message"]
    assert drill["snapshot"] == snapshot
    assert 0 < drill["rto"] < 300  # issue 6: a usable instance within 5 minutes
    assert "journal intègre" in drill["message"]
    assert "2 patient(s) et 2 document(s) déchiffrés" in drill["message"]
    assert (drill["event_outcome"], drill["event_subject"]) == ("success", str(drill["id"]))
    # The throwaway key directory (a copy of the master key) is gone.
    assert sorted(path.name for path in live.key_dir.iterdir() if path.name.startswith("exercice-")) == []


def test_it_fails_and_says_so_when_the_backup_journal_was_tampered_with(
    practice_with_backup: Operator,
) -> None:
    live = practice_with_backup
    live.python(TAMPERED_BACKUP)

    drill = live.python(DRILL)

    assert drill["outcome"] == "failure"
    assert "Journal de la sauvegarde NON intègre" in drill["message"]
    assert drill["rto"] is None
    assert drill["event_outcome"] == "failure"
    # The status turns unhealthy and names the failed drill.
    status = live.egide("backup", "status", ok=False)
    assert status.returncode != 0
    assert "ÉCHEC" in status.stdout


def test_it_fails_and_says_so_when_the_repository_is_damaged(
    practice_with_backup: Operator, tmp_path: Path
) -> None:
    live = practice_with_backup
    backup_all(live)
    for pack in (tmp_path / "disque" / "data").rglob("*"):
        if pack.is_file():
            pack.chmod(0o600)
            pack.write_bytes(os.urandom(pack.stat().st_size))

    drill = live.python(DRILL)

    assert drill["outcome"] == "failure"
    assert drill["message"]
    assert drill["event_outcome"] == "failure"
