"""Per-patient data keys: wrapped under the current root, readable under any known root, bound to
their id and place, and gone for good once shredded."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egide.crypto.data_keys import (
    new_data_key,
    new_data_key_id,
    rewrap_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from egide.crypto.envelope import key_id_of, seal
from egide.crypto.errors import DecryptionError, ShreddedKeyError, UnknownKeyError
from egide.crypto.hierarchy import Keyring
from egide.crypto.shredding import ShreddingJournal

AAD = b"patients.Patient|data_key|0b7c5a52-8d8e-4c4e-9a43-3f3f0c1d2e11"
KEYRING = Keyring.create()


@given(aad=st.binary(min_size=1, max_size=128))
def test_it_round_trips_a_data_key_for_any_place(aad: bytes) -> None:
    data_key, data_key_id = new_data_key(), new_data_key_id()

    wrapped = wrap_data_key(KEYRING, data_key, aad, data_key_id=data_key_id)

    assert unwrap_data_key(KEYRING, wrapped, aad, data_key_id=data_key_id) == data_key


def test_it_gives_each_patient_a_fresh_key_and_opaque_id() -> None:
    assert new_data_key() != new_data_key()
    assert new_data_key_id() != new_data_key_id()
    assert new_data_key_id().startswith("dk-")
    assert len(new_data_key()) == 32


def test_it_unwraps_version_1_keys_after_a_rotation_and_rewraps_them_under_version_2() -> None:
    keyring = Keyring.create()
    data_key, data_key_id = new_data_key(), new_data_key_id()
    wrapped_under_1 = wrap_data_key(keyring, data_key, AAD, data_key_id=data_key_id)

    keyring.add_version()
    rewrapped = rewrap_data_key(keyring, wrapped_under_1, AAD, data_key_id=data_key_id)
    keyring.retire(1)

    assert key_id_of(wrapped_under_1) == "root-1"
    assert key_id_of(rewrapped) == "root-2"
    assert unwrap_data_key(keyring, wrapped_under_1, AAD, data_key_id=data_key_id) == data_key
    assert unwrap_data_key(keyring, rewrapped, AAD, data_key_id=data_key_id) == data_key


def test_it_binds_the_wrapped_key_to_its_id_and_place() -> None:
    data_key, data_key_id = new_data_key(), new_data_key_id()
    wrapped = wrap_data_key(KEYRING, data_key, AAD, data_key_id=data_key_id)

    with pytest.raises(DecryptionError):
        unwrap_data_key(KEYRING, wrapped, AAD, data_key_id=new_data_key_id())
    with pytest.raises(DecryptionError):
        unwrap_data_key(KEYRING, wrapped, AAD + b"-other", data_key_id=data_key_id)


def test_it_refuses_a_key_wrapped_under_another_keyring() -> None:
    data_key_id = new_data_key_id()
    wrapped = wrap_data_key(Keyring.create(), new_data_key(), AAD, data_key_id=data_key_id)

    with pytest.raises(DecryptionError):
        unwrap_data_key(KEYRING, wrapped, AAD, data_key_id=data_key_id)


def test_it_refuses_a_root_version_or_key_id_the_keyring_does_not_have() -> None:
    newer = Keyring.create()
    newer.add_version()
    data_key_id = new_data_key_id()
    wrapped_under_2 = wrap_data_key(newer, new_data_key(), AAD, data_key_id=data_key_id)
    not_a_root = seal(new_data_key(), "dk-123", new_data_key(), AAD)

    with pytest.raises(UnknownKeyError, match="n°2"):
        unwrap_data_key(KEYRING, wrapped_under_2, AAD, data_key_id=data_key_id)
    with pytest.raises(UnknownKeyError):
        unwrap_data_key(KEYRING, not_a_root, AAD, data_key_id=data_key_id)


def test_it_refuses_to_bring_back_a_shredded_key(tmp_path: Path) -> None:
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")
    data_key, data_key_id = new_data_key(), new_data_key_id()
    wrapped = wrap_data_key(KEYRING, data_key, AAD, data_key_id=data_key_id)
    assert unwrap_data_key(KEYRING, wrapped, AAD, data_key_id=data_key_id, journal=journal) == data_key

    journal.append(data_key_id)

    with pytest.raises(ShreddedKeyError, match="détruite"):
        unwrap_data_key(KEYRING, wrapped, AAD, data_key_id=data_key_id, journal=journal)
    with pytest.raises(ShreddedKeyError):
        rewrap_data_key(KEYRING, wrapped, AAD, data_key_id=data_key_id, journal=journal)


def test_it_refuses_bad_arguments() -> None:
    data_key_id = new_data_key_id()

    with pytest.raises(ValueError, match="256 bits"):
        wrap_data_key(KEYRING, b"short", AAD, data_key_id=data_key_id)
    with pytest.raises(ValueError, match="données associées"):
        wrap_data_key(KEYRING, new_data_key(), b"", data_key_id=data_key_id)
    with pytest.raises(ValueError, match="Identifiant"):
        wrap_data_key(KEYRING, new_data_key(), AAD, data_key_id="dk\x00x")
