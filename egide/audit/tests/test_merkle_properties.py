"""Property tests against a naive transcription of the RFC 9162 definitions.

The reference functions below follow RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH)
and §2.1.4.1 (PROOF/SUBPROOF) literally, recursively and with hashlib only,
so they share no code with the O(log n) implementation under test.
"""

from __future__ import annotations

import hashlib
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from egide.audit.merkle import (
    MemoryTreeStore,
    StreamingRoot,
    consistency_proof,
    inclusion_proof,
    root,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 300
DATA = [hashlib.sha256(b"evenement-%d" % i).digest()[: 1 + i % 40] for i in range(MAX_SIZE)]


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(start: int, end: int) -> bytes:
    n = end - start
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + DATA[start]).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + mth(start, start + k) + mth(start + k, end)).digest()


def path(m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, start, start + k), mth(start + k, end)]
    return [*path(m - k, start + k, end), mth(start, start + k)]


def subproof(m: int, start: int, end: int, b: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if b else [mth(start, end)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, start, start + k, b), mth(start + k, end)]
    return [*subproof(m - k, start + k, end, False), mth(start, start + k)]


STORE = MemoryTreeStore()
LEAF_HASHES = [hashlib.sha256(b"\x00" + d).digest() for d in DATA]
for _leaf in LEAF_HASHES:
    STORE.append(_leaf)


def _tamper(x: bytes, bit: int) -> bytes:
    return bytes([x[0] ^ (1 << bit)]) + x[1:]


@given(st.integers(0, MAX_SIZE))
def test_root_matches_definition(size: int) -> None:
    assert root(STORE, size) == mth(0, size)


@given(st.integers(0, MAX_SIZE), st.lists(st.integers(1, 70), max_size=10))
def test_streaming_root_matches_definition(size: int, chunks: list[int]) -> None:
    stream, pos = StreamingRoot(), 0
    for c in chunks:  # arbitrary mix of extend() batches and single appends
        batch = LEAF_HASHES[pos : min(size, pos + c)]
        if c % 2:
            stream.extend(iter(batch))
        else:
            for leaf in batch:
                stream.append(leaf)
        pos += len(batch)
        assert stream.size == pos
        assert stream.root() == mth(0, pos)
    stream.extend(LEAF_HASHES[pos:size])
    assert stream.size == size
    assert stream.root() == mth(0, size)


@st.composite
def index_and_size(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(0, size - 1)), size


@given(index_and_size(), st.integers(0, 7))
def test_inclusion_proofs(case: tuple[int, int], bit: int) -> None:
    index, size = case
    proof = inclusion_proof(STORE, index, size)
    assert proof == path(index, 0, size)
    good_root, leaf = mth(0, size), LEAF_HASHES[index]
    assert verify_inclusion(leaf, index, size, proof, good_root)
    # A modified event, another position, another root: all rejected.
    assert not verify_inclusion(_tamper(leaf, bit), index, size, proof, good_root)
    other = LEAF_HASHES[(index + 1) % MAX_SIZE]
    assert not verify_inclusion(other, index, size, proof, good_root)
    for wrong in {index - 1, index + 1, index ^ 1, index ^ 2, index ^ (1 << bit)} - {index}:
        assert not verify_inclusion(leaf, wrong, size, proof, good_root)
    assert not verify_inclusion(leaf, index, size, proof, _tamper(good_root, bit))
    if size > 1:
        assert not verify_inclusion(leaf, index, size, proof, mth(0, size - 1))
    for i in range(len(proof)):
        bad = [*proof[:i], _tamper(proof[i], bit), *proof[i + 1 :]]
        assert not verify_inclusion(leaf, index, size, bad, good_root)


@st.composite
def two_sizes(draw: st.DrawFn) -> tuple[int, int]:
    new = draw(st.integers(1, MAX_SIZE))
    return draw(st.integers(1, new)), new


@given(two_sizes(), st.integers(0, 7))
def test_consistency_proofs(case: tuple[int, int], bit: int) -> None:
    old, new = case
    proof = consistency_proof(STORE, old, new)
    assert proof == subproof(old, 0, new, True)
    r1, r2 = mth(0, old), mth(0, new)
    assert verify_consistency(old, new, r1, r2, proof)
    # A rewritten history changes one of the roots: rejected either way.
    assert not verify_consistency(old, new, _tamper(r1, bit), r2, proof)
    assert not verify_consistency(old, new, r1, _tamper(r2, bit), proof)
    for i in range(len(proof)):
        bad = [*proof[:i], _tamper(proof[i], bit), *proof[i + 1 :]]
        assert not verify_consistency(old, new, r1, r2, bad)
    if old < new:
        assert not verify_consistency(old, new, r1, r2, proof[:-1])
        assert not verify_consistency(old, new, mth(0, old + 1), r2, proof)


@settings(max_examples=50)
@given(st.integers(1, MAX_SIZE))
def test_every_leaf_of_a_tree_has_a_valid_proof(size: int) -> None:
    good_root = root(STORE, size)
    for index in range(size):
        proof = inclusion_proof(STORE, index, size)
        assert verify_inclusion(LEAF_HASHES[index], index, size, proof, good_root)
