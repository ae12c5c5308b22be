from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.audit.checkpoint import parse_and_verify
from egide.audit.heads import head_verifiers, journal_origin, stored_root
from egide.audit.merkle import MemoryTreeStore, root
from egide.audit.models import Head, Leaf, Subtree
from egide.audit.sequencer import journal_sequence
from egide.audit.services import journal_update
from egide.audit.tests.journal import record_events
from egide.crypto.runtime import current_keyring

pytestmark = pytest.mark.django_db


def test_it_places_events_in_id_order_with_the_rfc_9162_root(keys: Path) -> None:
    ids = record_events(37)
    assert journal_sequence(batch_size=10) == 37
    leaves = list(Leaf.objects.order_by("leaf_index").values_list("event_id", "hash"))
    assert [event_id for event_id, _ in leaves] == ids
    memory = MemoryTreeStore()
    completed = [node for _, digest in leaves for node in memory.append(bytes(digest))]
    assert Subtree.objects.count() == len(completed)
    for size in (1, 2, 5, 16, 36, 37):
        assert stored_root(size) == root(memory, size)


def test_it_signs_a_head_every_n_events_and_exports_it_privately(
    keys: Path, settings: SettingsWrapper, tmp_path: Path, django_capture_on_commit_callbacks: object
) -> None:
    settings.AUDIT_HEAD_EVERY_EVENTS = 10
    settings.AUDIT_HEADS_DIR = tmp_path / "heads"
    record_events(4)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert journal_update().head is not None  # first head: as soon as there is a leaf
        record_events(5)
        assert journal_update().head is None  # 4 + 1 + 5 = 10 leaves, 6 since the head
        record_events(5)
        head = journal_update().head
    assert head is not None
    assert head.size == 15
    keyring = current_keyring()
    checkpoint = parse_and_verify(
        head.checkpoint, head_verifiers(keyring).values(), origin=journal_origin(keyring)
    )
    assert (checkpoint.size, checkpoint.root) == (15, stored_root(15))
    exported = settings.AUDIT_HEADS_DIR / f"{15:020d}.checkpoint"
    assert exported.read_text() == head.checkpoint
    assert stat.S_IMODE(settings.AUDIT_HEADS_DIR.stat().st_mode) == 0o700
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    assert Head.objects.count() == 2
