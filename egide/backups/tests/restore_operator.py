"""An operator's installation driven through the real `egide` command, for the restore, drill,
ransomware and canary scenarios: its own data, key and heads directories (and, in the PostgreSQL
run, its own database), a real restic repository on a local path and a real append-only REST
server (`rclone serve restic --append-only`) on a loopback port with its own account."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from egide.core.tests.cli import operator_env, run_egide

REST_USER = "egide-cabinet"
REST_PASSWORD = "mot-de-passe-du-serveur-de-sauvegarde"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RestServer:
    directory: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def location(self) -> str:
        return f"rest:http://{REST_USER}:{REST_PASSWORD}@127.0.0.1:{self.port}/"


@contextmanager
def rclone_append_only_server(directory: Path) -> Iterator[RestServer]:
    """`rclone serve restic --append-only` on a free loopback port, with its own account."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory.parent / "rclone.conf"
    config.touch()
    port = free_port()
    process = subprocess.Popen(
        [
            "rclone",
            "serve",
            "restic",
            "--append-only",
            "--addr",
            f"127.0.0.1:{port}",
            "--user",
            REST_USER,
            "--pass",
            REST_PASSWORD,
            "--config",
            str(config),
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("rclone serve restic ne démarre pas") from None
                time.sleep(0.1)
        yield RestServer(directory, port)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Operator:
    """One installation, run through `python -m egide` like an operator at a terminal."""

    def __init__(self, root: Path, **extra: str) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = operator_env(root, EGIDE_AUDIT_HEADS_DIR=str(root / "audit-heads"), **extra)

    @property
    def data_dir(self) -> Path:
        return Path(self.env["EGIDE_DATA_DIR"])

    @property
    def key_dir(self) -> Path:
        return Path(self.env["EGIDE_KEY_DIR"])

    def egide(self, *args: str, ok: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        result = run_egide(*args, env={**self.env, **extra}, cwd=self.root)
        if ok:
            assert result.returncode == 0, f"egide {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result

    def python(self, code: str, **extra: str) -> Any:
        """Run Python inside the installation (`egide manage shell`); the code sets `result`,
        returned as JSON."""
        script = (
            "import json\nresult = None\n"
            + textwrap.dedent(code)
            + "\nprint('@@RESULT@@' + json.dumps(result, default=str))\n"
        )
        result = run_egide("manage", "shell", "-c", script, env={**self.env, **extra}, cwd=self.root)
        assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
        output = result.stdout
        return json.loads(output.rsplit("@@RESULT@@", 1)[1])


SEED_PRACTICE = """
from egide.accounts.models import Practice, Role, User
from egide.accounts.services import user_create
practice = Practice.objects.first()
user_create(practice=practice, username="dr.martin", password="Tilleul-7-Lilas-Port!",
            roles=(Role.PRATICIEN,), first_name="Anne", last_name="Martin", must_change_password=False)
"""

SEED_PATIENTS = """
import hashlib, io, uuid
from datetime import date
from egide.accounts.models import User
from egide.patients.services import patient_create, note_add
from egide.patients.documents import document_add
from egide.patients.vault import Identity
actor = User.objects.get(username="dr.martin")
seeds = {seeds!r}
result = []
for seed in seeds:
    identity = Identity(birth_name=seed["name"], birth_first_names=(seed["first"],),
                        birth_date=date(1971, 5, 4), sex="F", nir=seed.get("nir", ""),
                        address=seed.get("address", ""))
    patient_id = patient_create(actor=actor, identity=identity).patient_id
    note_add(actor=actor, patient_id=patient_id, text=seed["note"])
    content = seed["document"].encode("utf-8")
    document_id = document_add(actor=actor, patient_id=patient_id, filename="compte-rendu.txt",
                               upload=io.BytesIO(content))
    result.append({{**seed, "id": str(patient_id), "document_id": str(document_id),
                   "sha256": hashlib.sha256(content).hexdigest()}})
"""

DESTINATIONS = """
from egide.backups.models import Destination
for name, kind, location, append_only in {destinations!r}:
    Destination.objects.get_or_create(
        name=name, defaults=dict(kind=kind, location=location, append_only=append_only)
    )
"""

BACKUP = """
import pathlib, tempfile
from egide.audit.services import journal_update
from egide.backups.models import Destination
from egide.backups.passwords import current_repository_password
from egide.backups.restic import Repository
from egide.backups.staging import stage
journal_update(force_head=True)
result = {{}}
for destination in Destination.objects.filter(name__in={names!r}).order_by("name"):
    with tempfile.TemporaryDirectory() as scratch:
        staging = pathlib.Path(scratch) / "staging"
        stage(staging)
        repository = Repository(destination.restic_location(), current_repository_password(destination.name),
                                destination.restic_env())
        repository.init_if_needed()
        result[destination.name] = repository.backup(staging, ["egide"]).id
"""

SHRED = """
import uuid
from egide.patients.services import patient_key_destroy
patient_key_destroy(actor=None, patient_id=uuid.UUID({patient_id!r}))
"""

READ_BACK = """
import hashlib, uuid
from egide.accounts.models import User
from egide.patients.selectors import patient_get_for_user
from egide.patients.documents import document_open_for_user
actor = User.objects.get(username="dr.martin")
result = []
for patient_id, document_id in {pairs!r}:
    record = patient_get_for_user(user=actor, patient_id=uuid.UUID(patient_id))
    entry = {{"id": patient_id, "erased": record.identity is None}}
    if record.identity is not None:
        entry["name"] = record.identity.birth_name
        entry["notes"] = [note.text for note in record.notes]
        opened = document_open_for_user(user=actor, patient_id=uuid.UUID(patient_id),
                                         document_id=uuid.UUID(document_id))
        with opened.stream as stream:
            entry["sha256"] = hashlib.sha256(stream.read()).hexdigest()
    result.append(entry)
"""


def seed_patients(operator: Operator, seeds: list[dict[str, str]]) -> list[dict[str, str]]:
    patients: list[dict[str, str]] = operator.python(SEED_PATIENTS.format(seeds=seeds))
    return patients


def destinations_add(operator: Operator, destinations: list[tuple[str, str, str, bool]]) -> None:
    operator.python(DESTINATIONS.format(destinations=destinations))


def backup_all(operator: Operator, *names: str) -> dict[str, str]:
    """Back up to every destination (or only those named): staging, then restic, as the backup
    side does."""
    if not names:
        names = tuple(
            operator.python(
                "from egide.backups.models import Destination\n"
                "result = list(Destination.objects.values_list('name', flat=True))"
            )
        )
    snapshots: dict[str, str] = operator.python(BACKUP.format(names=list(names)))
    return snapshots


def shred(operator: Operator, patient_id: str) -> None:
    operator.python(SHRED.format(patient_id=patient_id))


def read_back(operator: Operator, patients: list[dict[str, str]], **extra: str) -> list[dict[str, Any]]:
    pairs = [(patient["id"], patient["document_id"]) for patient in patients]
    entries: list[dict[str, Any]] = operator.python(READ_BACK.format(pairs=pairs), **extra)
    return entries


def installation(root: Path) -> Operator:
    """`egide init` and a practitioner."""
    operator = Operator(root)
    operator.egide("init", "--practice-name", "Cabinet des Tilleuls")
    operator.python(SEED_PRACTICE)
    return operator


def overwrite_with_random_bytes(*directories: Path) -> int:
    """What ransomware does: every file's content replaced by random bytes of the same size."""
    count = 0
    for directory in directories:
        for path in directory.rglob("*"):
            if path.is_file() and not path.is_symlink():
                size = max(path.stat().st_size, 16)
                path.chmod(0o600)
                path.write_bytes(os.urandom(size))
                count += 1
    return count
