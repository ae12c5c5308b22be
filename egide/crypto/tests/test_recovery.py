"""Recovery kit: any k of n printed shares rebuild the master key; fewer, mistyped or mixed-up
shares give a clear French error and nothing else."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egide.crypto.errors import RecoveryError
from egide.crypto.hierarchy import MasterKey
from egide.crypto.recovery import combine_shares, split_master_key

MASTER = MasterKey.generate()
SHARES = split_master_key(MASTER)


def _assert_no_share_in(message: str, shares: list[str]) -> None:
    for share in shares:
        assert " ".join(share.split()[:3]) not in message


def test_it_splits_into_three_shares_of_thirty_three_words() -> None:
    assert len(SHARES) == 3
    assert len(set(SHARES)) == 3
    assert all(len(share.split()) == 33 for share in SHARES)


def test_it_rebuilds_the_same_key_from_every_pair_of_shares() -> None:
    for pair in itertools.combinations(SHARES, 2):
        assert combine_shares(pair) == MASTER


def test_it_accepts_more_shares_than_needed() -> None:
    assert combine_shares(SHARES) == MASTER
    assert combine_shares([SHARES[0], SHARES[0], SHARES[2]]) == MASTER


def test_it_refuses_any_single_share() -> None:
    for share in SHARES:
        with pytest.raises(RecoveryError, match="il en faut 2") as raised:
            combine_shares([share])
        _assert_no_share_in(str(raised.value), SHARES)


def test_it_refuses_the_same_share_typed_twice() -> None:
    with pytest.raises(RecoveryError, match="insuffisantes"):
        combine_shares([SHARES[1], SHARES[1].upper()])


def test_it_refuses_a_share_with_a_typo_and_says_which_one() -> None:
    words = SHARES[1].split()
    for position in (0, 7, 32):
        replacement = "academic" if words[position] != "academic" else "acid"
        typo = " ".join([*words[:position], replacement, *words[position + 1 :]])
        with pytest.raises(RecoveryError, match="part n°2") as raised:
            combine_shares([SHARES[0], typo])
        _assert_no_share_in(str(raised.value), SHARES)

    misspelt = SHARES[1].replace(words[4], words[4] + "x", 1)
    with pytest.raises(RecoveryError, match="part n°2"):
        combine_shares([SHARES[0], misspelt])
    with pytest.raises(RecoveryError, match="part n°1"):
        combine_shares([" ".join(words[:-1]), SHARES[2]])


def test_it_refuses_shares_from_different_kits() -> None:
    other_kit = split_master_key(MasterKey.generate())

    with pytest.raises(RecoveryError, match="kits de secours différents") as raised:
        combine_shares([SHARES[0], other_kit[1]])
    _assert_no_share_in(str(raised.value), SHARES + other_kit)


def test_it_refuses_an_empty_kit() -> None:
    with pytest.raises(RecoveryError, match="Aucune part"):
        combine_shares(["", "  \n "])


@settings(max_examples=20, deadline=None)
@given(
    separators=st.lists(st.sampled_from([" ", "  ", "\n", "\t", " \n  "]), min_size=32, max_size=32),
    upper=st.booleans(),
)
def test_it_tolerates_case_spaces_and_line_breaks_in_typed_shares(separators: list[str], upper: bool) -> None:
    words = SHARES[0].split()
    typed = (
        "\n "
        + "".join(word + separator for word, separator in zip(words[:-1], separators, strict=True))
        + words[-1]
        + " \n"
    )

    assert combine_shares([typed.upper() if upper else typed, SHARES[2]]) == MASTER


def test_it_supports_other_thresholds() -> None:
    shares = split_master_key(MASTER, threshold=3, shares=5)

    assert combine_shares(shares[1:4]) == MASTER
    with pytest.raises(RecoveryError, match="il en faut 3"):
        combine_shares(shares[:2])


def test_it_refuses_a_threshold_that_would_copy_the_key_or_exceed_the_shares() -> None:
    for threshold, shares in [(1, 3), (4, 3), (2, 17)]:
        with pytest.raises(ValueError, match="Seuil"):
            split_master_key(MASTER, threshold=threshold, shares=shares)
