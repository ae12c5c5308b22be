"""Give recorded events their place in the tree, in batches (issue 3, performance).

Requests only insert an event row; this step, run by the worker, the CLI and the
services that need an up-to-date tree, appends their leaf hashes in id order and the
perfect subtrees they complete, under the journal lock (``locking``).
"""

from __future__ import annotations

import logging
from typing import Final

from django.db import connection, transaction

from egide.audit.leaves import EVENT_FIELDS, row_leaf_hash
from egide.audit.locking import sequencer_lock
from egide.audit.merkle import node_hash, range_nodes
from egide.audit.models import Event, Leaf, Subtree, subtree_key
from egide.audit.store import prefetched_store

logger = logging.getLogger(__name__)

BATCH_SIZE: Final = 20_000


def _frontier(size: int) -> list[tuple[int, bytes]]:
    """(level, hash) of the perfect subtrees left of position ``size``, largest first."""
    nodes = range_nodes(0, size)
    store = prefetched_store(nodes)
    return [
        (level, store.leaf(index) if level == 0 else _required(store.subtree(level, index)))
        for level, index in nodes
    ]


def _required(digest: bytes | None) -> bytes:
    if digest is None:
        raise RuntimeError("sous-arbre manquant dans la frontière du journal : lancez « egide audit verify »")
    return digest


def _append_batch(size: int, hashes: list[bytes]) -> list[tuple[int, int, int, bytes]]:
    """New subtrees (node, level, first_leaf, hash) completed by leaves at ``size``…"""
    stack = _frontier(size)
    completed: list[tuple[int, int, int, bytes]] = []
    position = size
    for leaf in hashes:
        level, digest, index = 0, leaf, position
        while index & 1:  # binary-counter carry, as MemoryTreeStore.append
            _, left = stack.pop()
            digest = node_hash(left, digest)
            level += 1
            index >>= 1
            completed.append((subtree_key(level, index), level, index << level, digest))
        stack.append((level, digest))
        position += 1
    return completed


def sequence_batch(batch_size: int = BATCH_SIZE) -> int:
    """Sequence up to ``batch_size`` pending events in one transaction; returns how many."""
    with transaction.atomic():
        sequencer_lock()
        last = Leaf.objects.order_by("-leaf_index").values_list("leaf_index", "event_id").first()
        size, last_event = (0, 0) if last is None else (last[0] + 1, last[1])
        rows = list(
            Event.objects.filter(id__gt=last_event).order_by("id").values_list(*EVENT_FIELDS)[:batch_size]
        )
        if not rows:
            return 0
        hashes = [row_leaf_hash(row) for row in rows]
        subtrees = _append_batch(size, hashes)
        leaf_table, subtree_table = Leaf._meta.db_table, Subtree._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {leaf_table} (leaf_index, event_id, hash) VALUES (%s, %s, %s)",  # noqa: S608
                [
                    (size + i, row[0], digest)
                    for i, (row, digest) in enumerate(zip(rows, hashes, strict=True))
                ],
            )
            if subtrees:
                cursor.executemany(
                    f"INSERT INTO {subtree_table} (node, level, first_leaf, hash) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    subtrees,
                )
    logger.info("audit journal: %s events sequenced from leaf %s", len(rows), size)
    return len(rows)


def journal_sequence(batch_size: int = BATCH_SIZE) -> int:
    """Sequence every pending event, batch after batch; returns how many."""
    total = 0
    while count := sequence_batch(batch_size):
        total += count
    return total
