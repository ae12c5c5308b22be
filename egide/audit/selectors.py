"""Reads on the audit journal: the filtered list of a practice, its state, proofs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from egide.audit.actions import Action
from egide.audit.heads import head_latest, stored_root
from egide.audit.merkle import (
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from egide.audit.models import Event, Head, Leaf
from egide.audit.store import prefetched_store, tree_size
from egide.core.errors import NotFound


@dataclass(frozen=True)
class JournalFilter:
    actor_id: str = ""
    action: str = ""
    patient_id: str = ""
    start: datetime | None = None
    end: datetime | None = None


def events_for_practice(*, practice_id: object, filters: JournalFilter) -> QuerySet[Event]:
    """A practice's events only, newest first: staff never see another practice's trail."""
    events = Event.objects.filter(practice_id=str(practice_id))
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.patient_id:
        events = events.filter(patient_id=filters.patient_id)
    if filters.start is not None:
        events = events.filter(time__gte=filters.start)
    if filters.end is not None:
        events = events.filter(time__lt=filters.end)
    return events.order_by("-id")


def actors_for_practice(*, practice_id: object) -> list[tuple[str, str]]:
    """(actor id, label) pairs seen in the practice's journal, accounts since deleted included."""
    pairs = (
        Event.objects.filter(practice_id=str(practice_id))
        .exclude(actor_id="")
        .values_list("actor_id", "actor_label")
        .distinct()
    )
    return sorted(set(pairs), key=lambda pair: pair[1].lower())


def last_verification() -> Event | None:
    return Event.objects.filter(action=Action.JOURNAL_VERIFIED).order_by("-id").first()


def last_head() -> Head | None:
    return head_latest()


@dataclass(frozen=True)
class InclusionProof:
    event_id: int
    leaf_index: int
    size: int
    leaf: bytes
    root: bytes
    path: list[bytes]
    valid: bool


def event_inclusion_proof(*, event_id: int, size: int | None = None) -> InclusionProof:
    """RFC 9162 inclusion proof of an event in the tree at the last signed head (or ``size``)."""
    leaf = Leaf.objects.filter(event_id=event_id).values_list("leaf_index", "hash").first()
    head = head_latest()
    if size is None:
        size = head.size if head is not None else tree_size()
    if leaf is None or not 0 <= leaf[0] < size <= tree_size():
        raise NotFound
    index, leaf_hash = leaf[0], bytes(leaf[1])
    nodes = [node for group in inclusion_plan(index, size) for node in group]
    path = inclusion_proof(prefetched_store(nodes), index, size)
    root = bytes(head.root) if head is not None and head.size == size else stored_root(size)
    return InclusionProof(
        event_id, index, size, leaf_hash, root, path, verify_inclusion(leaf_hash, index, size, path, root)
    )


@dataclass(frozen=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: list[bytes]
    valid: bool


def tree_consistency_proof(*, old_size: int, new_size: int) -> ConsistencyProof:
    """RFC 9162 consistency proof between two tree sizes (roots recomputed from the store)."""
    if not 0 <= old_size <= new_size <= tree_size():
        raise NotFound
    nodes = [node for group in consistency_plan(old_size, new_size) for node in group]
    path = consistency_proof(prefetched_store(nodes), old_size, new_size)
    old_root, new_root = stored_root(old_size), stored_root(new_size)
    valid = verify_consistency(old_size, new_size, old_root, new_root, path)
    return ConsistencyProof(old_size, new_size, old_root, new_root, path, valid)
