"""Storage-shaped behaviour: completed subtrees, lookup counts, streaming."""

from __future__ import annotations

import hashlib
import time

import pytest

from egide.audit.merkle import (
    MemoryTreeStore,
    Node,
    PrefetchedTreeStore,
    StreamingRoot,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    leaf_hash,
    node_hash,
    perfect_root,
    range_nodes,
    root,
    verify_consistency,
    verify_inclusion,
)


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


class CountingStore:
    """Fabricated hashes for a huge tree; counts lookups (no proof validity)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.lookups = 0

    def leaf(self, index: int) -> bytes:
        assert 0 <= index < self.size
        self.lookups += 1
        return hashlib.sha256(b"L%d" % index).digest()

    def subtree(self, level: int, index: int) -> bytes | None:
        assert (index + 1) << level <= self.size, "only complete subtrees exist"
        self.lookups += 1
        return hashlib.sha256(b"S%d-%d" % (level, index)).digest()


class NoSubtreeStore:
    """A store that lost its subtree table: results must not change."""

    def __init__(self, inner: MemoryTreeStore) -> None:
        self.inner = inner

    def leaf(self, index: int) -> bytes:
        return self.inner.leaf(index)

    def subtree(self, level: int, index: int) -> bytes | None:
        return None


def test_append_reports_each_completed_perfect_subtree() -> None:
    store, leaves = MemoryTreeStore(), _leaves(64)
    seen: dict[Node, bytes] = {}
    for i, leaf in enumerate(leaves):
        completed = store.append(leaf)
        trailing_ones = (i ^ (i + 1)).bit_length() - 1
        assert len(completed) == trailing_ones  # amortised O(1), at most log2(n)
        for level, index, h in completed:
            assert (index + 1) << level == i + 1  # ends with the new leaf
            seen[(level, index)] = h
    assert len(store) == 64
    assert len(seen) == 63  # n - 1 interior perfect nodes for n = 2**6
    for (level, index), h in seen.items():
        if level == 1:
            assert h == node_hash(leaves[2 * index], leaves[2 * index + 1])
        else:
            assert h == node_hash(seen[(level - 1, 2 * index)], seen[(level - 1, 2 * index + 1)])
    assert seen[(6, 0)] == root(store, 64)


def test_store_rejects_bad_input_and_out_of_range() -> None:
    store = MemoryTreeStore()
    with pytest.raises(ValueError, match="32 octets"):
        store.append(b"short")
    store.append(leaf_hash(b"a"))
    with pytest.raises(IndexError):
        store.leaf(-1)  # never Python's "from the end"
    with pytest.raises(IndexError):
        root(store, 2)
    with pytest.raises(ValueError, match="hors de l'arbre"):
        inclusion_proof(store, 1, 1)
    with pytest.raises(ValueError, match="incohérentes"):
        consistency_proof(store, 2, 1)
    assert store.subtree(1, 0) is None


def test_range_nodes_is_the_binary_decomposition() -> None:
    assert range_nodes(0, 0) == []
    assert range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert range_nodes(8, 13) == [(2, 2), (0, 12)]
    assert range_nodes(12, 14) == [(1, 6)]
    with pytest.raises(ValueError, match="intervalle"):
        range_nodes(3, 2)


@pytest.mark.parametrize("size", [1_000_000, 2**20, 2**20 - 1, 999_983])
def test_proofs_need_o_log_n_lookups(size: int) -> None:
    bound = 2 * size.bit_length()
    for index in (0, 1, size // 3, size // 2, size - 2, size - 1):
        store = CountingStore(size)
        started = time.perf_counter()
        proof = inclusion_proof(store, index, size)
        elapsed = time.perf_counter() - started
        assert store.lookups <= bound
        assert len(proof) <= size.bit_length()
        assert elapsed < 0.005  # in-memory; a database adds round trips only
    for old in (1, 7, size // 2, size - 1):
        store = CountingStore(size)
        consistency_proof(store, old, size)
        assert store.lookups <= bound + 1
    store = CountingStore(size)
    root(store, size)
    assert store.lookups <= size.bit_length()


def test_plans_allow_a_single_prefetch_query() -> None:
    store = MemoryTreeStore()
    for leaf in _leaves(1000):
        store.append(leaf)

    def fetch(plan: list[list[Node]]) -> PrefetchedTreeStore:
        wanted = {node for nodes in plan for node in nodes}
        return PrefetchedTreeStore(
            {(lv, i): store.leaf(i) if lv == 0 else store.subtree(lv, i) or b"" for lv, i in wanted}
        )

    for index, size in [(0, 1), (0, 1000), (999, 1000), (500, 777), (640, 641)]:
        assert inclusion_proof(fetch(inclusion_plan(index, size)), index, size) == inclusion_proof(
            store, index, size
        )
    for old, new in [(1, 1000), (512, 1000), (999, 1000), (333, 777), (5, 5)]:
        assert consistency_proof(fetch(consistency_plan(old, new)), old, new) == consistency_proof(
            store, old, new
        )
    with pytest.raises(IndexError):
        PrefetchedTreeStore({}).leaf(0)


def test_missing_subtrees_are_recomputed_from_leaves() -> None:
    store = MemoryTreeStore()
    for leaf in _leaves(77):
        store.append(leaf)
    bare = NoSubtreeStore(store)
    for size in (1, 2, 31, 64, 77):
        assert root(bare, size) == root(store, size)
        assert inclusion_proof(bare, size - 1, size) == inclusion_proof(store, size - 1, size)
        assert consistency_proof(bare, 1, size) == consistency_proof(store, 1, size)


def test_streaming_root_over_10000_leaves_matches_store() -> None:
    leaves = _leaves(10_000)
    store = MemoryTreeStore()
    one_by_one, batched = StreamingRoot(), StreamingRoot()
    checkpoints = {1, 2, 3, 1000, 4096, 4097, 8191, 10_000}
    for i, leaf in enumerate(leaves, start=1):
        store.append(leaf)
        one_by_one.append(leaf)
        if i in checkpoints:
            assert one_by_one.root() == root(store, i)
    for start in range(0, 10_000, 997):  # odd batch sizes straddle alignments
        batched.extend(leaves[start : start + 997])
    assert batched.size == one_by_one.size == 10_000
    assert batched.root() == one_by_one.root() == root(store, 10_000)
    # And the proofs of the big tree verify against the streamed root.
    final = batched.root()
    for index in (0, 4095, 4096, 9999):
        proof = inclusion_proof(store, index, 10_000)
        assert verify_inclusion(leaves[index], index, 10_000, proof, final)
    old_root = root(store, 4097)
    assert verify_consistency(4097, 10_000, old_root, final, consistency_proof(store, 4097, 10_000))


def test_blocks_reduced_separately_combine_to_the_same_root() -> None:
    # What a parallel verifier does: workers reduce aligned blocks of 2**k.
    leaves = _leaves(3 * 1024 + 5)
    stream = StreamingRoot()
    for start in range(0, 3 * 1024, 1024):
        stream.append_subtree(perfect_root(leaves[start : start + 1024]), 10)
    stream.extend(leaves[3 * 1024 :])
    store = MemoryTreeStore()
    for leaf in leaves:
        store.append(leaf)
    assert stream.root() == root(store, len(leaves))
    with pytest.raises(ValueError, match="non aligné"):
        stream.append_subtree(leaves[0], 1)  # size 3077 is odd
    with pytest.raises(ValueError, match="2\\*\\*k"):
        perfect_root(leaves[:3])
