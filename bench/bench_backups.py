"""Backup benchmarks (issue 6, "Done when"), measured in one run on a temporary SQLite installation.

The demo practice grown to BENCH_PATIENTS patients (10 000 by default) and BENCH_MB of documents
(1 024 MB by default, 1 MiB each, random hence incompressible bytes):

- patients: ``bench.vault_data.patients_fill``, encrypted and indexed exactly as ``patient_create``
  does, in bulk (no validation, care team or audit event);
- documents: the vault's own encryption (Tink streaming AEAD into ``blobs/``, keyset and file name
  sealed under the patient's data key, as ``document_add`` does), with the content-type check
  skipped (random bytes are no accepted type) and the rows bulk-inserted.

Figures: full backup and incremental backup through ``backup_run`` (staging, restic backup, quick
check, bookkeeping) to a local repository; the same staging directory backed up by restic run by
hand into a fresh repository (Égide's overhead = full Égide backup / restic by hand). restic's own
time varies by about a second between runs here, so full backups and runs by hand take turns,
EGIDE_BENCH_BACKUP_REPETITIONS times (5), and the figures are medians. The first staging of the
installation (every document hashed once for the manifest) is reported on its own; the restore
RTO measured by a restore drill (``drill_run``: restore, manifest check, throwaway instance opened
and a sample decrypted; the journal verification that follows is not counted).

``EGIDE_BENCH_BACKUP_PATIENTS`` and ``EGIDE_BENCH_BACKUP_MB`` give a smaller run (e.g. 1000 and 64).
The measurements run in a child process (``python -m bench.bench_backups --json FILE``).
"""

from __future__ import annotations

import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from bench import Figure
from bench.child import child_main, figures_from_child, installation_setup

if TYPE_CHECKING:
    from egide.accounts.models import User
    from egide.backups.models import Destination

PATIENTS = int(os.environ.get("EGIDE_BENCH_BACKUP_PATIENTS", "10000"))
DOCUMENT_MB = int(os.environ.get("EGIDE_BENCH_BACKUP_MB", "1024"))
DOCUMENT_BYTES = 1024 * 1024
INCREMENT_PATIENTS = 20
INCREMENT_DOCUMENTS = 10
SEED = 6006
REPETITIONS = int(os.environ.get("EGIDE_BENCH_BACKUP_REPETITIONS", "5"))


def _say(message: str) -> None:
    print(f"  [bench_backups] {message}", file=sys.stderr, flush=True)


def _practitioner() -> User:
    from egide.accounts.models import Role
    from egide.accounts.services import password_generate, practice_create, user_create

    practice = practice_create(name="Cabinet du banc d'essai")
    return user_create(
        practice=practice,
        username="dr.banc",
        password=password_generate(),
        roles=[Role.PRATICIEN],
        first_name="Banc",
        must_change_password=False,
    )


def _patients(actor: User, count: int, rng: random.Random) -> list[uuid.UUID]:
    from bench.vault_data import identity_make, patients_fill, pools_make
    from egide.patients.models import Patient

    pools = pools_make(SEED)
    identities = [identity_make(pools, rng)[0] for _ in range(count)]
    before = set(Patient.objects.values_list("id", flat=True))
    patients_fill(actor.practice_id, identities)
    return [pid for pid in Patient.objects.values_list("id", flat=True) if pid not in before]


def _documents(actor: User, patient_ids: list[uuid.UUID], count: int, rng: random.Random) -> None:
    """Encrypted documents through the vault's own primitives (see the module docstring)."""
    import tink
    from tink import secret_key_access

    from egide.crypto.envelope import seal
    from egide.crypto.services import data_keys_get
    from egide.patients.documents import KEY_TEMPLATE, _encrypt_to_blob, _keyset_aad, _stream_aad, blob_dir
    from egide.patients.models import Document, Patient
    from egide.patients.vault import text_seal

    chosen = [rng.choice(patient_ids) for _ in range(count)]
    patients = {p.id: p for p in Patient.objects.filter(id__in=set(chosen))}
    keys = data_keys_get(data_key_ids=[p.data_key_id for p in patients.values()])
    rows = []
    for number, patient_id in enumerate(chosen, start=1):
        patient = patients[patient_id]
        key = keys[patient.data_key_id]
        document_id, blob_name = uuid.uuid4(), str(uuid.uuid4())
        handle = tink.new_keyset_handle(KEY_TEMPLATE)
        keyset = tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
        content = io.BytesIO(os.urandom(DOCUMENT_BYTES))
        _encrypt_to_blob(content, handle, _stream_aad(patient.id, document_id), blob_dir() / blob_name)
        rows.append(
            Document(
                id=document_id,
                patient=patient,
                uploaded_by=actor,
                size=DOCUMENT_BYTES,
                media_type="application/pdf",
                filename=text_seal("Document", document_id, patient.data_key_id, key, "filename", "cr.pdf"),
                blob_name=blob_name,
                keyset=seal(key, patient.data_key_id, keyset, _keyset_aad(document_id)),
            )
        )
        if number % 128 == 0:
            _say(f"documents : {number}/{count}")
    Document.objects.bulk_create(rows, batch_size=500)


def _backup() -> float:
    from egide.backups.services import backup_run

    os.sync()  # the previous run's writes flushed: each timed run starts from the same state
    started = time.perf_counter()
    results = backup_run()
    elapsed = time.perf_counter() - started
    if not results or not all(result.good for result in results):
        raise RuntimeError(f"Sauvegarde en échec : {[result.message for result in results]}")
    return elapsed


def _full_backup(directory: Path, repetition: int) -> tuple[float, Destination]:
    """A full backup: Égide's run into a new, empty destination (the previous one disabled)."""
    from egide.backups.models import Destination
    from egide.backups.services import destination_add, destination_enable

    for name in Destination.objects.filter(enabled=True).values_list("name", flat=True):
        destination_enable(name=name, enabled=False)
    destination = destination_add(
        name=f"disque-{repetition}", kind="local", location=str(directory / f"depot-egide-{repetition}")
    )
    return _backup(), destination


def _restic_by_hand(directory: Path, repetition: int) -> tuple[float, float, float]:
    """The same content staged, then `restic backup .` and the quick `restic check` Égide runs after
    each backup, by hand into a fresh repository. Returns (staging, backup, check) seconds."""
    from egide.backups.staging import stage

    staging = directory / f"staging-a-la-main-{repetition}"
    started = time.perf_counter()
    stage(staging)
    staged = time.perf_counter() - started
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(directory),
        "RESTIC_REPOSITORY": str(directory / f"depot-a-la-main-{repetition}"),
        "RESTIC_PASSWORD": "banc-d-essai",
        "RESTIC_CACHE_DIR": str(directory / "cache-a-la-main"),
    }
    subprocess.run(["restic", "init"], env=env, check=True, capture_output=True)  # noqa: S607
    os.sync()  # as before Égide's runs: the previous run's writes are flushed first
    started = time.perf_counter()
    # Debian's restic, as an operator would run it.
    command = ["restic", "backup", "--quiet", "."]
    subprocess.run(command, env=env, cwd=staging, check=True, capture_output=True)  # noqa: S603
    backed_up = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(["restic", "check"], env=env, check=True, capture_output=True)  # noqa: S607
    checked = time.perf_counter() - started
    shutil.rmtree(staging)
    return staged, backed_up, checked


def _first_staging(directory: Path) -> float:
    """The installation's very first staging: every document is hashed once for the manifest
    (later runs reuse the digests of unchanged blobs)."""
    from egide.backups.staging import stage

    staging = directory / "premiere-preparation"
    started = time.perf_counter()
    stage(staging)
    elapsed = time.perf_counter() - started
    shutil.rmtree(staging)
    return elapsed


def measure(directory: Path) -> list[Figure]:
    installation_setup(directory)
    from egide.backups.drill import drill_run
    from egide.backups.models import Outcome

    rng = random.Random(SEED)  # noqa: S311  # fake data, not security
    actor = _practitioner()
    started = time.perf_counter()
    patient_ids = _patients(actor, PATIENTS, rng)
    _say(f"{len(patient_ids)} patients en {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    _documents(actor, patient_ids, DOCUMENT_MB, rng)
    _say(f"{DOCUMENT_MB} documents de 1 Mio en {time.perf_counter() - started:.0f} s")

    first_staging = _first_staging(directory)
    _say(f"première préparation (toutes les empreintes) : {first_staging:.1f} s")
    # restic's own time varies by a second from one run to the next on this machine: each figure
    # is the median of REPETITIONS runs, Égide and restic by hand taking turns.
    staged, by_hand, checked, full = [], [], [], []
    destination = None
    for repetition in range(1, REPETITIONS + 1):
        stage_s, backup_s, check_s = _restic_by_hand(directory, repetition)
        staged.append(stage_s)
        by_hand.append(backup_s)
        checked.append(check_s)
        full_s, destination = _full_backup(directory, repetition)
        full.append(full_s)
        _say(
            f"essai {repetition} : restic à la main {backup_s:.1f} s + check {check_s:.1f} s ; "
            f"Égide {full_s:.1f} s (dont préparation ~{stage_s:.1f} s)"
        )
    if destination is None:
        raise RuntimeError("EGIDE_BENCH_BACKUP_REPETITIONS doit valoir au moins 1.")
    reference = statistics.median(b + c for b, c in zip(by_hand, checked, strict=True))
    full_median = statistics.median(full)
    new_ids = _patients(actor, INCREMENT_PATIENTS, rng)
    _documents(actor, new_ids, INCREMENT_DOCUMENTS, rng)
    incremental = _backup()
    _say(f"sauvegarde incrémentale Égide : {incremental:.1f} s")
    drill = drill_run(destination=destination)
    if drill.outcome != Outcome.SUCCESS or drill.rto_seconds is None:
        raise RuntimeError(f"Exercice de restauration en échec : {drill.message}")
    _say(f"exercice de restauration : RTO {drill.rto_seconds:.1f} s")
    size = f"{PATIENTS} patients, {DOCUMENT_MB} Mo"
    runs = f"médiane de {REPETITIONS}"
    return [
        Figure(f"sauvegarde complète ({size}, {runs})", full_median, "s", "indicatif"),
        Figure(
            f"sauvegarde incrémentale (+{INCREMENT_PATIENTS} patients, +{INCREMENT_DOCUMENTS} Mo)",
            incremental,
            "s",
            "indicatif",
        ),
        Figure(
            f"  restic à la main, même contenu préparé (backup, {runs})",
            statistics.median(by_hand),
            "s",
            "référence",
        ),
        Figure(f"  restic à la main, backup + check rapide ({runs})", reference, "s", "référence"),
        Figure(
            "  surcoût d'Égide (complète / restic backup + check à la main)",
            full_median / reference,
            "×",
            "≤ 1,10×",
        ),
        Figure(
            "  surcoût d'Égide (complète / restic backup seul)",
            full_median / statistics.median(by_hand),
            "×",
            "indicatif",
        ),
        Figure(
            "  dont préparation (copie de la base, liens, empreintes)",
            statistics.median(staged),
            "s",
            "indicatif",
        ),
        Figure(
            "  première préparation de l'installation (empreinte de chaque document)",
            first_staging,
            "s",
            "indicatif",
        ),
        Figure("RTO de restauration (exercice, instance utilisable)", drill.rto_seconds, "s", "≤ 300 s"),
    ]


def _measure_in_scratch() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="egide-bench-backups-") as scratch:
        return measure(Path(scratch) / "installation")


def run() -> list[Figure]:
    return figures_from_child("bench.bench_backups")


if __name__ == "__main__":
    child_main(_measure_in_scratch)
