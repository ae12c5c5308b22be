"""The Merkle tree as stored in the database: prefetched lookups for roots and proofs."""

from __future__ import annotations

from collections.abc import Iterable

from egide.audit.merkle import Node, PrefetchedTreeStore
from egide.audit.models import Leaf, Subtree, subtree_key


def tree_size() -> int:
    last = Leaf.objects.order_by("-leaf_index").values_list("leaf_index", flat=True).first()
    return 0 if last is None else last + 1


def prefetched_store(nodes: Iterable[Node]) -> PrefetchedTreeStore:
    """Load the given nodes in two queries (leaves, subtrees): one round trip per table."""
    wanted = set(nodes)
    leaf_indexes = [index for level, index in wanted if level == 0]
    keys = [subtree_key(level, index) for level, index in wanted if level > 0]
    loaded: dict[Node, bytes] = {}
    if leaf_indexes:
        for index, digest in Leaf.objects.filter(leaf_index__in=leaf_indexes).values_list(
            "leaf_index", "hash"
        ):
            loaded[(0, index)] = bytes(digest)
    if keys:
        for level, first, digest in Subtree.objects.filter(node__in=keys).values_list(
            "level", "first_leaf", "hash"
        ):
            loaded[(level, first >> level)] = bytes(digest)
    return PrefetchedTreeStore(loaded)
