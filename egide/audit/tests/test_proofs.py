from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit.heads import stored_root
from egide.audit.merkle import verify_consistency, verify_inclusion
from egide.audit.models import Leaf
from egide.audit.selectors import event_inclusion_proof, tree_consistency_proof
from egide.audit.services import journal_update
from egide.audit.tests.journal import record_events
from egide.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_it_proves_each_event_is_in_the_signed_tree(keys: Path) -> None:
    ids = record_events(21)
    head = journal_update(force_head=True).head
    assert head is not None
    for event_id in ids:
        proof = event_inclusion_proof(event_id=event_id)
        assert proof.size == head.size
        assert proof.root == bytes(head.root)
        assert verify_inclusion(proof.leaf, proof.leaf_index, proof.size, proof.path, proof.root)


def test_it_proves_consistency_between_any_two_sizes(keys: Path) -> None:
    record_events(13)
    journal_update()
    size = Leaf.objects.count()
    for old in range(size + 1):
        proof = tree_consistency_proof(old_size=old, new_size=size)
        assert proof.valid
        assert verify_consistency(old, size, stored_root(old), stored_root(size), proof.path)


def test_it_treats_an_unknown_event_as_missing(keys: Path) -> None:
    record_events(2)
    journal_update(force_head=True)
    with pytest.raises(NotFound):
        event_inclusion_proof(event_id=999_999)
