"""Audit journal benchmarks (issue 3, "Performance"), measured in one run on a temporary SQLite.

1. Append rate: events recorded by concurrent request threads, then appended to the tree
   by the sequencer in batches (the figure with the goal), and the recording rate itself.
2. Added latency of one ``audit_record`` inside a request transaction, against a simple
   authenticated page served by the full middleware stack.
3. Full verification (``journal_check``) against a raw chained SHA-256 over the same
   canonical bytes, read from the same table the same way.
4. Inclusion proof at 1 000 000 events, tables built with bulk inserts.
"""

from __future__ import annotations

import hashlib
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench import Figure

EVENTS_APPEND = 60_000
EVENTS_VERIFY = 150_000
PROOF_SIZE = 1_000_000
THREADS = 8


def _setup(directory: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    os.environ.setdefault("EGIDE_DATA_DIR", str(directory / "data"))
    os.environ.setdefault("EGIDE_KEY_DIR", str(directory / "keys"))
    os.environ.setdefault("EGIDE_AUDIT_HEADS_DIR", str(directory / "heads"))
    os.environ.setdefault("EGIDE_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from egide.crypto.runtime import keys_create, keys_exist

    Path(settings.DATA_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(settings.KEY_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    if not keys_exist():
        keys_create()


def _append_rate() -> list[Figure]:
    from django.db import connection, transaction

    from egide.audit.actions import Action
    from egide.audit.sequencer import journal_sequence
    from egide.audit.services import audit_record

    per_thread = EVENTS_APPEND // THREADS

    def request_worker() -> None:
        for i in range(per_thread):
            with transaction.atomic():  # one request, one transaction, one event
                audit_record(
                    action=Action.ACCOUNT_CHANGED, practice_id="bench", subject_id=i, patient_id=f"p{i}"
                )
        connection.close()

    journal_sequence()
    threads = [threading.Thread(target=request_worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorded = time.perf_counter() - started
    started = time.perf_counter()
    appended = journal_sequence()
    sequenced = time.perf_counter() - started
    return [
        Figure("ajout au journal (séquenceur, lots)", appended / sequenced, "évén./s", "≥ 20 000"),
        Figure(
            f"enregistrement par {THREADS} requêtes concurrentes", appended / recorded, "évén./s", "indicatif"
        ),
    ]


def _latency() -> list[Figure]:
    from django.db import transaction
    from django.test import Client, RequestFactory

    from egide.accounts.models import Role
    from egide.accounts.services import password_change, password_generate, practice_create, user_create
    from egide.audit.actions import Action
    from egide.audit.context import context_from_request, request_context
    from egide.audit.services import audit_record

    practice = practice_create(name="Cabinet du banc d'essai")
    user = user_create(
        practice=practice, username=f"bench{time.time_ns()}", password=password_generate(), roles=[Role.ADMIN]
    )
    password_change(user=user, new_password=password_generate())  # past the first-login change
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    # Past the second factor (accounts): the session names a confirmed TOTP device.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    rounds = 300
    status = client.get("/").status_code
    for _ in range(20):
        client.get("/")
    request = RequestFactory().get("/", HTTP_USER_AGENT="bench")
    request.user = user
    # Medians of single calls, alternated, so a burst of load elsewhere hits both alike.
    pages: list[float] = []
    added: list[float] = []  # audit_record in the transaction the request already has open
    alone: list[float] = []  # a transaction of its own: BEGIN, INSERT, COMMIT
    with request_context(context_from_request(request)):
        for _ in range(rounds):
            started = time.perf_counter()
            client.get("/")
            pages.append(time.perf_counter() - started)
            with transaction.atomic():
                started = time.perf_counter()
                audit_record(action=Action.ACCOUNT_CHANGED, subject_type="bench")
                added.append(time.perf_counter() - started)
            started = time.perf_counter()
            with transaction.atomic():
                audit_record(action=Action.ACCOUNT_CHANGED, subject_type="bench")
            alone.append(time.perf_counter() - started)
    page = statistics.median(pages)
    record, standalone = statistics.median(added), statistics.median(alone)
    return [
        Figure(f"page authentifiée simple (HTTP {status})", page * 1000, "ms", "référence"),
        Figure("audit_record ajouté à la transaction de la requête", record * 1000, "ms", "indicatif"),
        Figure("  rapporté à la page", 100 * record / page, "%", "≤ 10 %"),
        Figure("  (avec sa propre transaction et son COMMIT)", 100 * standalone / page, "%", "indicatif"),
    ]


def _fill(count: int) -> None:
    from django.utils import timezone

    from egide.audit.models import Event
    from egide.audit.sequencer import journal_sequence

    now = timezone.now()
    batch = [
        Event(
            time=now,
            actor_id="6f1c2b7e-0000-4000-8000-000000000001",
            actor_label="Dr Bench (bench)",
            action="patient:record:viewed",
            practice_id="6f1c2b7e-0000-4000-8000-0000000000aa",
            subject_type="patient",
            subject_id=str(i),
            patient_id=f"pat-{i}",
            request_id=hashlib.md5(str(i).encode(), usedforsecurity=False).hexdigest(),
            source_ip="192.0.2.10",
            user_agent_digest=hashlib.sha256(b"bench").hexdigest(),
        )
        for i in range(count)
    ]
    Event.objects.bulk_create(batch, batch_size=5000)
    journal_sequence()


def _verification_rate() -> list[Figure]:
    from egide.audit.leaves import EVENT_FIELDS, canonical_fields, leaf_bytes
    from egide.audit.models import Event, Leaf
    from egide.audit.services import journal_update
    from egide.audit.verify import BLOCK, journal_check

    _fill(EVENTS_VERIFY)
    journal_update(force_head=True)
    size = Leaf.objects.count()

    def chained() -> None:
        # Baseline: the same rows, read block by block, encoded the same way, chained SHA-256.
        last_id = 0
        digest = b"\x00" * 32
        while rows := list(
            Event.objects.filter(id__gt=last_id).order_by("id").values_list(*EVENT_FIELDS)[:BLOCK]
        ):
            for row in rows:
                digest = hashlib.sha256(digest + leaf_bytes(canonical_fields(row))).digest()
            last_id = rows[-1][0]

    # Best of three for each, alternated: the machine's other load hits both alike.
    verify = baseline = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        journal_check(exported_dir=None)
        verify = min(verify, time.perf_counter() - started)
        started = time.perf_counter()
        chained()
        baseline = min(baseline, time.perf_counter() - started)
    return [
        Figure(f"vérification complète ({size} feuilles)", size / verify, "feuilles/s", "indicatif"),
        Figure("  rapportée à un SHA-256 chaîné sur les mêmes octets", baseline / verify, "×", "≥ 0,7×"),
    ]


def _proof_time() -> list[Figure]:
    from django.db import connection

    from egide.audit.merkle import MemoryTreeStore
    from egide.audit.models import subtree_key
    from egide.audit.selectors import event_inclusion_proof
    from egide.audit.triggers import triggers_create, triggers_drop

    triggers_drop(connection)
    with connection.cursor() as cursor:
        for table in ("audit_subtree", "audit_leaf", "audit_head"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # bench database only
        memory = MemoryTreeStore()
        leaves = []
        subtrees = []
        for index in range(PROOF_SIZE):
            digest = hashlib.sha256(index.to_bytes(8, "big")).digest()
            leaves.append((index, index + 1, digest))
            subtrees += [(subtree_key(lv, ix), lv, ix << lv, h) for lv, ix, h in memory.append(digest)]
        cursor.executemany("INSERT INTO audit_leaf (leaf_index, event_id, hash) VALUES (%s, %s, %s)", leaves)
        cursor.executemany(
            "INSERT INTO audit_subtree (node, level, first_leaf, hash) VALUES (%s, %s, %s, %s)", subtrees
        )
    triggers_create(connection)
    rng = random.Random(9162)  # noqa: S311  # not security: which events to prove
    targets = [rng.randrange(1, PROOF_SIZE + 1) for _ in range(500)]
    for event_id in targets[:20]:
        event_inclusion_proof(event_id=event_id)
    started = time.perf_counter()
    for event_id in targets:
        proof = event_inclusion_proof(event_id=event_id)
        assert proof.valid  # noqa: S101  # a wrong proof would make the figure meaningless
    elapsed = (time.perf_counter() - started) / len(targets)
    return [Figure(f"preuve d'inclusion à {PROOF_SIZE} événements", elapsed * 1000, "ms", "≤ 5 ms")]


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="egide-bench-audit-") as directory:
        _setup(Path(directory))
        figures = _append_rate() + _latency() + _verification_rate() + _proof_time()
        return figures
