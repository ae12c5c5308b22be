"""Blind indexes: the same patient is found however the name was typed; nothing else matches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egide.crypto.blind_index import blind_index, normalise, prefix_index, prefix_indexes
from egide.crypto.hierarchy import Keyring, Purpose

KEYRING = Keyring.create()
INDEX_KEY = KEYRING.purpose_key(Purpose.BLIND_INDEX)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Lefèvre-D'Arc", "LEFEVRE D ARC"),
        ("LEFEVRE D ARC", "LEFEVRE D ARC"),
        ("lefèvre d’arc", "LEFEVRE D ARC"),
        ("  Jean--Pierre \t\n Martin  ", "JEAN PIERRE MARTIN"),
        ("Ñúñez", "NUNEZ"),
        ("St. Étienne", "ST ETIENNE"),
        ("Hélène-Françoise", "HELENE FRANCOISE"),
        ("Lætitia Cœur", "LAETITIA COEUR"),
        ("N’Diaye", "N DIAYE"),
        ("\uff24\uff35\uff30\uff2f\uff2e\uff34", "DUPONT"),  # full-width letters
        ("Straße", "STRASSE"),
        ("", ""),
        (" - ' . ", ""),
    ],
)
def test_it_normalises_accents_case_hyphens_apostrophes_dots_and_spaces(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@given(st.text())
def test_it_normalises_idempotently(value: str) -> None:
    once = normalise(value)

    assert normalise(once) == once


@given(st.text())
def test_it_leaves_no_leading_trailing_or_repeated_spaces(value: str) -> None:
    normalised = normalise(value)

    assert normalised == normalised.strip()
    assert "  " not in normalised


def test_it_finds_the_same_patient_however_the_name_was_typed() -> None:
    stored = blind_index(INDEX_KEY, "birth_name", "Lefèvre-D'Arc")

    assert blind_index(INDEX_KEY, "birth_name", "LEFEVRE D ARC") == stored
    assert blind_index(INDEX_KEY, "birth_name", "lefevre d’arc") == stored
    assert blind_index(INDEX_KEY, "birth_name", "Lefebvre-D'Arc") != stored


def test_it_separates_kinds_keys_and_versions() -> None:
    stored = blind_index(INDEX_KEY, "birth_name", "Martin")
    keyring = Keyring.create()
    keyring.add_version()

    assert blind_index(INDEX_KEY, "first_name", "Martin") != stored
    assert blind_index(Keyring.create().purpose_key(Purpose.BLIND_INDEX), "birth_name", "Martin") != stored
    first, second = (
        blind_index(key, "birth_name", "Martin") for key in keyring.live_purpose_keys(Purpose.BLIND_INDEX)
    )
    assert first.startswith("1:")
    assert second.startswith("2:")
    assert first[2:] != second[2:]


def test_it_writes_a_versioned_128_bit_hex_index_without_the_value() -> None:
    index = blind_index(INDEX_KEY, "nir", "2 84 12 75 115 423 08")
    version, digest = index.split(":")

    assert version == str(INDEX_KEY.version)
    assert len(digest) == 32
    int(digest, 16)
    assert "84" not in index.replace(digest, "")


def test_it_refuses_a_key_of_another_purpose_a_bad_kind_or_a_blank_value() -> None:
    with pytest.raises(ValueError, match="index aveugle"):
        blind_index(KEYRING.purpose_key(Purpose.FIELD), "birth_name", "Martin")
    with pytest.raises(ValueError, match="Type d'index"):
        blind_index(INDEX_KEY, "birth#name", "Martin")
    with pytest.raises(ValueError, match="vide"):
        blind_index(INDEX_KEY, "birth_name", " - ")


def test_it_indexes_prefixes_for_type_ahead() -> None:
    stored = prefix_indexes(INDEX_KEY, "birth_name", "Lefèvre-D'Arc")

    # "LE", "LEF", … "LEFEVRE", then "LEFEVRE " is skipped (ends in a space); max 8 characters.
    assert len(stored) == 6
    assert len(set(stored)) == 6
    assert prefix_index(INDEX_KEY, "birth_name", "lé") in stored
    assert prefix_index(INDEX_KEY, "birth_name", "Lefev") in stored
    assert prefix_index(INDEX_KEY, "birth_name", "lefèvre d'arc") in stored
    assert prefix_index(INDEX_KEY, "birth_name", "Lu") not in stored


def test_it_never_confuses_a_prefix_with_a_whole_value() -> None:
    assert prefix_index(INDEX_KEY, "birth_name", "Du") != blind_index(INDEX_KEY, "birth_name", "Du")


def test_it_refuses_a_prefix_search_that_is_too_short() -> None:
    with pytest.raises(ValueError, match="au moins 2"):
        prefix_index(INDEX_KEY, "birth_name", "L")
    with pytest.raises(ValueError, match="préfixe"):
        prefix_indexes(INDEX_KEY, "birth_name", "Martin", min_len=3, max_len=2)


@given(name=st.text(min_size=1, max_size=30), cut=st.integers(min_value=2, max_value=12))
def test_it_finds_every_typed_prefix_among_the_stored_ones(name: str, cut: int) -> None:
    typed = normalise(name)[:cut].rstrip()
    if len(typed) < 2:
        return

    assert prefix_index(INDEX_KEY, "birth_name", typed) in prefix_indexes(INDEX_KEY, "birth_name", name)
