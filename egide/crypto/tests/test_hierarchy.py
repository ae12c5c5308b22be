"""Key hierarchy: the keyring travels wrapped under the master key; purpose keys and signing keys
are derived, versioned and separated."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from egide.crypto.envelope import seal_bytes
from egide.crypto.errors import DecryptionError, KeyringError, KeyStoreError, UnknownKeyError
from egide.crypto.hierarchy import (
    KEYRING_AAD,
    MASTER_KEY_ID,
    Keyring,
    MasterKey,
    Purpose,
    audit_public_key,
    audit_signing_key,
    load_keyring,
    root_key_id,
    root_version_of,
    save_keyring,
)

ROOT = bytes(range(32))


def _rotated_keyring() -> Keyring:
    keyring = Keyring.create()
    keyring.add_version()
    keyring.add_version()
    keyring.retire(1)
    return keyring


def test_it_round_trips_a_keyring_through_the_master_key() -> None:
    master = MasterKey.generate()
    keyring = _rotated_keyring()

    restored = Keyring.unwrap(master, keyring.wrap(master))

    assert restored.versions == (1, 2, 3)
    assert restored.current_version == 3
    assert restored.retired_versions == frozenset({1})
    for version in restored.versions:
        for purpose in Purpose:
            assert restored.purpose_key(purpose, version).key == keyring.purpose_key(purpose, version).key


def test_it_refuses_to_unwrap_the_keyring_under_another_master_key() -> None:
    wrapped = Keyring.create().wrap(MasterKey.generate())

    with pytest.raises(DecryptionError):
        Keyring.unwrap(MasterKey.generate(), wrapped)


def test_it_rejects_an_altered_wrapped_keyring() -> None:
    master = MasterKey.generate()
    wrapped = bytearray(Keyring.create().wrap(master))
    wrapped[-1] ^= 1

    with pytest.raises(DecryptionError):
        Keyring.unwrap(master, bytes(wrapped))


def test_it_never_writes_root_keys_in_clear_in_the_wrapped_keyring() -> None:
    master = MasterKey.generate()
    keyring = Keyring({1: ROOT}, current_version=1)

    assert ROOT not in keyring.wrap(master)
    assert b'"roots"' not in keyring.wrap(master)


def test_it_refuses_a_decrypted_keyring_that_is_inconsistent() -> None:
    master = MasterKey.generate()
    bad_documents = [
        b"not json",
        b"[]",
        b'{"current_version": 2, "retired_versions": [], "roots": {"1": "' + b"A" * 44 + b'"}}',
        b'{"current_version": 1, "retired_versions": [1], "roots": {"1": "' + b"A" * 44 + b'"}}',
        b'{"current_version": true, "retired_versions": [], "roots": {"1": "' + b"A" * 44 + b'"}}',
        b'{"current_version": 1, "retired_versions": [], "roots": {"1": "AAAA"}}',
        b'{"current_version": 1, "retired_versions": [], "roots": {"01": "' + b"A" * 44 + b'"}}',
    ]

    for document in bad_documents:
        wrapped = seal_bytes(master.key, MASTER_KEY_ID, document, KEYRING_AAD)
        with pytest.raises(KeyringError):
            Keyring.unwrap(master, wrapped)


def test_it_adds_versions_and_makes_the_newest_current() -> None:
    keyring = Keyring.create()

    assert keyring.current_version == 1
    assert keyring.add_version() == 2
    assert keyring.current_version == 2
    assert keyring.versions == (1, 2)
    assert keyring.live_versions == (1, 2)


def test_it_refuses_to_retire_the_current_version() -> None:
    keyring = Keyring.create()
    keyring.add_version()

    with pytest.raises(KeyringError, match="version courante"):
        keyring.retire(2)
    with pytest.raises(UnknownKeyError):
        keyring.retire(9)


def test_it_stops_searching_a_retired_version_but_keeps_it_readable() -> None:
    keyring = _rotated_keyring()

    assert keyring.live_versions == (2, 3)
    assert [key.version for key in keyring.live_purpose_keys(Purpose.BLIND_INDEX)] == [2, 3]
    assert keyring.purpose_key(Purpose.KEY_WRAP, 1).version == 1


def test_it_derives_a_distinct_key_per_purpose_and_per_version() -> None:
    keyring = Keyring({1: ROOT}, current_version=1)
    keyring.add_version()

    keys = {keyring.purpose_key(purpose, version).key for purpose in Purpose for version in (1, 2)}

    assert len(keys) == 2 * len(Purpose)
    assert all(len(key) == 32 for key in keys)
    assert ROOT not in keys


def test_it_labels_purpose_keys_with_their_version_and_defaults_to_the_current_one() -> None:
    keyring = Keyring.create()
    keyring.add_version()

    assert keyring.purpose_key(Purpose.FIELD).version == 2
    assert keyring.purpose_key(Purpose.FIELD, 1).version == 1
    assert keyring.purpose_key(Purpose.FIELD).purpose is Purpose.FIELD


def test_it_raises_unknown_key_for_an_unknown_version() -> None:
    with pytest.raises(UnknownKeyError, match="n°4"):
        Keyring.create().purpose_key(Purpose.FIELD, 4)


def test_it_names_root_versions_in_envelopes() -> None:
    assert root_key_id(3) == "root-3"
    assert root_version_of("root-3") == 3
    for key_id in ["root-0", "root-03", "dk-1", "root-", "root-1x"]:
        with pytest.raises(UnknownKeyError):
            root_version_of(key_id)


def test_it_never_shows_key_bytes_in_reprs() -> None:
    master = MasterKey.generate()
    keyring = Keyring({1: ROOT}, current_version=1)
    purpose_key = keyring.purpose_key(Purpose.FIELD)

    for shown, secret in [
        (repr(master), master.key),
        (repr(purpose_key), purpose_key.key),
        (repr(keyring), ROOT),
    ]:
        assert secret.hex() not in shown
        assert repr(secret) not in shown


def test_it_refuses_inconsistent_keyrings() -> None:
    with pytest.raises(KeyringError):
        Keyring({}, current_version=1)
    with pytest.raises(KeyringError):
        Keyring({1: b"short"}, current_version=1)
    with pytest.raises(KeyringError):
        Keyring({1: ROOT, 2: ROOT}, current_version=2, retired_versions=[3])
    with pytest.raises(ValueError, match="256 bits"):
        MasterKey(b"short")


def test_it_saves_and_loads_the_keyring_file(tmp_path: Path) -> None:
    master = MasterKey.generate()
    keyring = _rotated_keyring()
    path = tmp_path / "keyring.bin"

    save_keyring(path, keyring, master)
    keyring.add_version()
    save_keyring(path, keyring, master)
    loaded = load_keyring(path, master)

    assert loaded.versions == (1, 2, 3, 4)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["keyring.bin"]


def test_it_reports_a_missing_keyring_file(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="introuvable"):
        load_keyring(tmp_path / "absent", MasterKey.generate())


def test_it_derives_the_same_audit_signing_key_after_a_restore() -> None:
    master = MasterKey.generate()
    keyring = Keyring.create()
    signature = audit_signing_key(keyring).sign(b"checkpoint 42")

    restored = Keyring.unwrap(master, keyring.wrap(master))
    public_key = Ed25519PublicKey.from_public_bytes(audit_public_key(restored, 1))

    public_key.verify(signature, b"checkpoint 42")  # raises InvalidSignature if it differs
    assert len(audit_public_key(restored)) == 32


def test_it_derives_a_different_audit_signing_key_per_version() -> None:
    keyring = Keyring.create()
    keyring.add_version()

    assert audit_public_key(keyring, 1) != audit_public_key(keyring, 2)
    assert audit_public_key(keyring) == audit_public_key(keyring, 2)
