"""Envelopes: round trips, and every kind of damage or misuse fails closed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egide.crypto.envelope import key_id_of, open_, open_bytes, seal, seal_bytes
from egide.crypto.errors import (
    CryptoError,
    DecryptionError,
    MalformedEnvelopeError,
    UnknownKeyError,
    UnknownSchemeError,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
AAD = b"patients.Patient|birth_name|0b7c5a52-8d8e-4c4e-9a43-3f3f0c1d2e11"
OTHER_AAD = b"patients.Patient|birth_name|5d0f5c2e-1111-4c4e-9a43-3f3f0c1d2e11"
KEYS = {"root-1": KEY}


def _flip(text: str, index: int, bit: int) -> str:
    return text[:index] + chr(ord(text[index]) ^ (1 << bit)) + text[index + 1 :]


@given(plaintext=st.binary(max_size=2048), aad=st.binary(min_size=1, max_size=256))
def test_it_round_trips_arbitrary_bytes_in_text_form(plaintext: bytes, aad: bytes) -> None:
    envelope = seal(KEY, "root-1", plaintext, aad)

    assert envelope.startswith("v1$root-1$")
    assert open_(KEYS, envelope, aad) == plaintext


@given(plaintext=st.binary(max_size=2048), aad=st.binary(min_size=1, max_size=256))
def test_it_round_trips_arbitrary_bytes_in_bytes_form(plaintext: bytes, aad: bytes) -> None:
    envelope = seal_bytes(KEY, "root-1", plaintext, aad)

    assert envelope.startswith(b"v1$root-1$")
    assert open_bytes(KEYS, envelope, aad) == plaintext


def test_it_never_writes_the_plaintext_and_uses_a_fresh_nonce_each_time() -> None:
    first = seal(KEY, "root-1", b"DUPONT", AAD)
    second = seal(KEY, "root-1", b"DUPONT", AAD)

    assert first != second
    assert "DUPONT" not in first
    assert b"DUPONT" not in seal_bytes(KEY, "root-1", b"DUPONT", AAD)


def test_it_rejects_any_single_bit_flip_anywhere_in_the_text_form() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    for index in range(len(envelope)):
        for bit in range(8):
            with pytest.raises(CryptoError):
                open_(KEYS, _flip(envelope, index, bit), AAD)


def test_it_rejects_any_single_bit_flip_anywhere_in_the_bytes_form() -> None:
    envelope = seal_bytes(KEY, "root-1", b"Jeanne", AAD)

    for index in range(len(envelope)):
        for bit in range(8):
            damaged = bytearray(envelope)
            damaged[index] ^= 1 << bit
            with pytest.raises(CryptoError):
                open_bytes(KEYS, bytes(damaged), AAD)


@given(plaintext=st.binary(min_size=1, max_size=512), data=st.data())
def test_it_rejects_a_bit_flip_in_the_ciphertext_of_any_message(
    plaintext: bytes, data: st.DataObject
) -> None:
    envelope = seal_bytes(KEY, "root-1", plaintext, AAD)
    index = data.draw(st.integers(min_value=0, max_value=len(envelope) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    damaged = bytearray(envelope)
    damaged[index] ^= 1 << bit

    with pytest.raises(CryptoError):
        open_bytes(KEYS, bytes(damaged), AAD)


def test_it_rejects_the_associated_data_of_another_record() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    with pytest.raises(DecryptionError):
        open_(KEYS, envelope, OTHER_AAD)
    with pytest.raises(DecryptionError):
        open_bytes(KEYS, seal_bytes(KEY, "root-1", b"Jeanne", AAD), OTHER_AAD)


def test_it_rejects_every_truncation() -> None:
    text = seal(KEY, "root-1", b"Jeanne", AAD)
    raw = seal_bytes(KEY, "root-1", b"Jeanne", AAD)

    for length in range(len(text)):
        with pytest.raises(CryptoError):
            open_(KEYS, text[:length], AAD)
    for length in range(len(raw)):
        with pytest.raises(CryptoError):
            open_bytes(KEYS, raw[:length], AAD)


def test_it_rejects_an_unknown_scheme() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    with pytest.raises(UnknownSchemeError):
        open_(KEYS, "v2" + envelope[2:], AAD)
    with pytest.raises(UnknownSchemeError):
        open_bytes(KEYS, b"v0" + seal_bytes(KEY, "root-1", b"Jeanne", AAD)[2:], AAD)


def test_it_rejects_an_unknown_key_id_from_a_mapping_or_a_lookup() -> None:
    envelope = seal(KEY, "root-7", b"Jeanne", AAD)

    def lookup(key_id: str) -> bytes:
        raise KeyError(key_id)

    with pytest.raises(UnknownKeyError, match="root-7"):
        open_(KEYS, envelope, AAD)
    with pytest.raises(UnknownKeyError):
        open_(lookup, envelope, AAD)


def test_it_encrypts_with_the_given_key_and_decrypts_with_any_known_key() -> None:
    old = seal(KEY, "root-1", b"ancienne", AAD)
    new = seal(OTHER_KEY, "root-2", b"nouvelle", AAD)
    keyring = {"root-1": KEY, "root-2": OTHER_KEY}

    assert open_(keyring, old, AAD) == b"ancienne"
    assert open_(keyring.__getitem__, new, AAD) == b"nouvelle"
    assert key_id_of(new) == "root-2"


def test_it_binds_the_key_id_so_an_envelope_cannot_be_relabelled() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)
    relabelled = envelope.replace("root-1", "root-2", 1)

    with pytest.raises(DecryptionError):
        open_({"root-1": KEY, "root-2": KEY}, relabelled, AAD)


def test_it_rejects_the_wrong_key() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    with pytest.raises(DecryptionError):
        open_({"root-1": OTHER_KEY}, envelope, AAD)


def test_it_never_takes_plaintext_for_an_envelope_nor_repeats_it() -> None:
    for value in ["Jeanne Dupont", "", "v1$root-1$", "v1$root-1$Jeanne Dupont", "v1$$AAAA", "a$b$c$d"]:
        with pytest.raises(CryptoError) as raised:
            open_(KEYS, value, AAD)
        assert "Jeanne" not in str(raised.value)
        assert "Dupont" not in str(raised.value)


def test_it_rejects_a_non_canonical_encoding() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    for suffix in ["=", "==", " ", "\n"]:
        with pytest.raises(MalformedEnvelopeError):
            open_(KEYS, envelope + suffix, AAD)
    with pytest.raises(MalformedEnvelopeError):
        open_(KEYS, envelope.replace("-", "+").replace("_", "/") + "+", AAD)


def test_it_refuses_to_seal_without_associated_data_or_with_a_weak_key() -> None:
    with pytest.raises(ValueError, match="données associées"):
        seal(KEY, "root-1", b"Jeanne", b"")
    with pytest.raises(ValueError, match="256 bits"):
        seal(KEY[:16], "root-1", b"Jeanne", AAD)
    with pytest.raises(ValueError, match="Identifiant"):
        seal(KEY, "root$1", b"Jeanne", AAD)
    with pytest.raises(ValueError, match="données associées"):
        open_(KEYS, seal(KEY, "root-1", b"Jeanne", AAD), b"")


def test_it_rejects_a_lookup_that_returns_a_key_of_the_wrong_length() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    with pytest.raises(CryptoError, match="root-1") as raised:
        open_({"root-1": KEY[:16]}, envelope, AAD)
    assert KEY[:16].hex() not in str(raised.value)


def test_it_keeps_keys_and_plaintext_out_of_error_messages() -> None:
    envelope = seal(KEY, "root-1", b"Jeanne", AAD)

    with pytest.raises(DecryptionError) as raised:
        open_({"root-1": OTHER_KEY}, envelope, AAD)
    message = str(raised.value)
    assert message.startswith("Déchiffrement refusé")
    for secret in [KEY.hex(), OTHER_KEY.hex(), repr(KEY), repr(OTHER_KEY), "Jeanne"]:
        assert secret not in message
