"""RFC 9162 §2.1 Merkle tree over the audit journal.

Storage model: every event keeps its leaf hash, and a table keeps the hash of
every *perfect* subtree (2**level leaves, aligned on a multiple of 2**level).
Each node of the RFC tree of any size is either such a perfect subtree or sits
on the right edge, and a right-edge node [a, n) is the right fold of the
O(log n) perfect subtrees given by the binary decomposition of n - a. Roots
and proofs therefore cost O(log n) store lookups, never a scan.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

HASH_SIZE: Final = 32
# RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256
# Blocks reduced at once by StreamingRoot.extend; bounds its memory use.
_MAX_BLOCK_LEVEL: Final = 12

Node = tuple[int, int]
"""(level, index): perfect subtree over leaves [index << level, (index + 1) << level)."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d0}) = HASH(0x00 || d0).

    The 0x00 / 0x01 prefixes give leaves and interior nodes distinct domains,
    so no interior node can be passed off as a leaf (second-preimage attack).
    """
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))."""
    return _sha256(b"\x01" + left + right).digest()


class TreeStore(Protocol):
    """Read access to stored hashes (a database table in production)."""

    def leaf(self, index: int) -> bytes:
        """Leaf hash of event ``index``; raises if it does not exist."""
        ...

    def subtree(self, level: int, index: int) -> bytes | None:
        """Hash of the perfect subtree ``(level, index)`` (level >= 1), or None."""
        ...


class MemoryTreeStore:
    """In-memory TreeStore; also the reference for what a database must keep."""

    __slots__ = ("_levels",)

    def __init__(self) -> None:
        # _levels[0] holds the leaves, _levels[k][i] the perfect subtree (k, i).
        self._levels: list[list[bytes]] = [[]]

    def __len__(self) -> int:
        return len(self._levels[0])

    def leaf(self, index: int) -> bytes:
        leaves = self._levels[0]
        if not 0 <= index < len(leaves):  # no negative indexing from the end
            raise IndexError(f"feuille {index} absente (taille {len(leaves)})")
        return leaves[index]

    def subtree(self, level: int, index: int) -> bytes | None:
        row = self._levels[level] if 0 <= level < len(self._levels) else []
        return row[index] if 0 <= index < len(row) else None

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append a leaf hash; return the perfect subtrees it completes.

        Leaf i completes one subtree per trailing 1-bit of i (a binary counter
        carry), so at most log2(n) and on average one per append: the database
        layer inserts them in the same transaction as the event.
        """
        if len(leaf) != HASH_SIZE:
            raise ValueError("une empreinte de feuille fait 32 octets")
        levels = self._levels
        index = len(levels[0])
        levels[0].append(leaf)
        completed: list[tuple[int, int, bytes]] = []
        level, h = 0, leaf
        while index & 1:
            h = node_hash(levels[level][index - 1], h)
            level += 1
            index >>= 1
            if level == len(levels):
                levels.append([])
            levels[level].append(h)  # subtrees complete in order: index == len
            completed.append((level, index, h))
        return completed


class PrefetchedTreeStore:
    """TreeStore over ``{(level, index): hash}`` (level 0: leaves) loaded in one
    query from the ``*_plan()`` nodes: one database round trip per proof."""

    __slots__ = ("_nodes",)

    def __init__(self, nodes: Mapping[Node, bytes]) -> None:
        self._nodes = nodes

    def leaf(self, index: int) -> bytes:
        try:
            return self._nodes[(0, index)]
        except KeyError:
            raise IndexError(f"feuille {index} non chargée") from None

    def subtree(self, level: int, index: int) -> bytes | None:
        return self._nodes.get((level, index))


def _largest_power_of_two_below(n: int) -> int:
    """RFC 9162 §2.1.1: k is the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """Left-to-right maximal aligned perfect subtrees covering [start, end).

    For a node of the RFC tree (start aligned, or [start, size) on the right
    edge) they are the binary decomposition of end - start: O(log n) nodes.
    """
    if not 0 <= start <= end:
        raise ValueError("intervalle de feuilles invalide")
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:  # alignment: 2**level must divide start
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def _perfect(store: TreeStore, level: int, index: int) -> bytes:
    if level == 0:
        return store.leaf(index)
    h = store.subtree(level, index)
    if h is None:  # not stored (yet): recompute from children, still correct
        h = node_hash(
            _perfect(store, level - 1, 2 * index),
            _perfect(store, level - 1, 2 * index + 1),
        )
    return h


def _fold(store: TreeStore, nodes: Sequence[Node]) -> bytes:
    # RFC 9162 §2.1.1 splits at the largest power of two, so a right-edge
    # node is HASH(0x01 || P1 || HASH(0x01 || P2 || ...)): a right fold.
    h = _perfect(store, *nodes[-1])
    for level, index in reversed(nodes[:-1]):
        h = node_hash(_perfect(store, level, index), h)
    return h


def root(store: TreeStore, size: int) -> bytes:
    """MTH(D[0:size]) (RFC 9162 §2.1.1) from at most log2(size)+1 lookups."""
    if size < 0:
        raise ValueError("taille d'arbre négative")
    return _fold(store, range_nodes(0, size)) if size else EMPTY_ROOT


def inclusion_plan(index: int, size: int) -> list[list[Node]]:
    """Perfect subtrees whose folds are the RFC 9162 §2.1.3.1 PATH elements.

    Iterative form of PATH(m, D[n]): each step keeps the half holding m and
    emits the other half's MTH; elements are listed leaf-side first. Only
    right-edge halves need several nodes, and that happens at most once.
    """
    if not 0 <= index < size:
        raise ValueError("index de feuille hors de l'arbre")
    plan: list[list[Node]] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if index < start + k:
            plan.append(range_nodes(start + k, end))
            end = start + k
        else:
            plan.append(range_nodes(start, start + k))
            start += k
    plan.reverse()
    return plan


def consistency_plan(old_size: int, new_size: int) -> list[list[Node]]:
    """Perfect subtrees whose folds are the RFC 9162 §2.1.4.1 PROOF elements.

    Iterative SUBPROOF(m, D[n], b): b becomes false once the walk enters a
    right half; MTH(D[m]) is emitted only then (otherwise the verifier
    already holds it as the old root). Empty for old_size in {0, new_size}.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError("tailles d'arbre incohérentes")
    plan: list[list[Node]] = []
    if old_size in (0, new_size):
        return plan
    start, end, complete = 0, new_size, True
    while end != old_size:
        k = _largest_power_of_two_below(end - start)
        if old_size - start <= k:
            plan.append(range_nodes(start + k, end))
            end = start + k
        else:
            plan.append(range_nodes(start, start + k))
            start += k
            complete = False
    if not complete:
        plan.append(range_nodes(start, end))
    plan.reverse()
    return plan


def inclusion_proof(store: TreeStore, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion path of leaf ``index`` in tree ``size``."""
    return [_fold(store, nodes) for nodes in inclusion_plan(index, size)]


def consistency_proof(store: TreeStore, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof from ``old_size`` to ``new_size``."""
    return [_fold(store, nodes) for nodes in consistency_plan(old_size, new_size)]


def _all_hashes(*hashes: bytes) -> bool:
    # Wrong-length inputs could make the empty proof "verify" (b"" == b"").
    return all(len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step; False on any malformed input."""
    if not 0 <= index < size or not _all_hashes(leaf, root_hash, *proof):  # step 1
        return False
    fn, sn = index, size - 1  # step 2
    r = leaf  # step 3
    for p in proof:  # step 4
        if sn == 0:  # 4a: proof longer than the path
            return False
        if fn & 1 or fn == sn:  # 4b
            r = node_hash(p, r)
            while fn and not fn & 1:  # skip levels where m's node has no sibling
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1  # 4c
    return sn == 0 and r == root_hash  # step 5


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """RFC 9162 §2.1.4.2, step by step; False on any malformed input.

    The RFC covers 0 < first < second. Edge cases, fail closed: equal sizes
    need equal roots and an empty proof; the empty tree (size 0) is a prefix
    of every tree but its root must be SHA-256("") and its proof empty.
    """
    if not 0 <= old_size <= new_size or not _all_hashes(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:  # step 1
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2: old tree is a perfect subtree
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            return False
        if fn & 1 or fn == sn:  # 6b
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1  # 6c
    return sn == 0 and fr == old_root and sr == new_root  # step 7


def perfect_root(leaves: Sequence[bytes]) -> bytes:
    """MTH of 2**k leaf hashes, i.e. of one perfect subtree, level by level.

    One hash call per node inside a list comprehension (no per-node Python
    frame): the hot loop of full verification. Aligned blocks are
    independent, so a verifier may reduce them in worker processes and
    combine the results with ``StreamingRoot.append_subtree``.
    """
    n = len(leaves)
    if n == 0 or n & (n - 1):
        raise ValueError("un sous-arbre parfait a 2**k feuilles")
    layer, sha = leaves, _sha256
    while len(layer) > 1:
        it = iter(layer)
        layer = [sha(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=True)]
    return layer[0]


class StreamingRoot:
    """MTH of a growing list of leaf hashes, fed once each, in O(n) total.

    Keeps the compact frontier: one perfect-subtree hash per 1-bit of the
    size (at most log2 n hashes). Inputs are not length-checked: a wrong
    input changes the root, which then fails against the signed tree head.
    """

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._stack: list[bytes] = []  # largest (leftmost) subtree first
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def _push(self, h: bytes, level: int) -> None:
        # Binary-counter carry: merge with equal-sized subtrees on the left.
        stack = self._stack
        n = self._size >> level
        while n & 1:
            h = _sha256(b"\x01" + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
        self._size += 1 << level

    def append(self, leaf: bytes) -> None:
        self._push(leaf, 0)

    def append_subtree(self, subtree_hash: bytes, level: int) -> None:
        """Append 2**level leaves at once, given their perfect-subtree hash."""
        if level < 0 or self._size & ((1 << level) - 1):
            raise ValueError("sous-arbre non aligné sur la taille courante")
        self._push(subtree_hash, level)

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Append many leaf hashes: about 1.3x faster than ``append`` each."""
        items = leaves if isinstance(leaves, list | tuple) else list(leaves)
        pos, total = 0, len(items)
        while pos < total:
            # Largest block that is aligned on the current size and fits.
            level = min(_MAX_BLOCK_LEVEL, (total - pos).bit_length() - 1)
            if self._size:
                level = min(level, (self._size & -self._size).bit_length() - 1)
            self._push(perfect_root(items[pos : pos + (1 << level)]), level)
            pos += 1 << level

    def root(self) -> bytes:
        """MTH of all leaves so far (RFC 9162 §2.1.1); O(log n)."""
        stack = self._stack
        if not stack:
            return EMPTY_ROOT
        h = stack[-1]
        for left in reversed(stack[:-1]):
            h = node_hash(left, h)
        return h
