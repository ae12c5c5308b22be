"""The process keyring: created once by init, unwrapped with the master key, never replaced silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.crypto.errors import CryptoError, KeyStoreError
from egide.crypto.runtime import current_keyring, keyring_forget, keys_create


def test_it_loads_the_keyring_created_at_init(keys: Path) -> None:
    keyring = current_keyring()
    assert keyring.current_version == 1
    assert (keys / "keyring.wrapped").exists()


def test_it_never_replaces_existing_keys(keys: Path) -> None:
    before = (keys / "keyring.wrapped").read_bytes()
    with pytest.raises(KeyStoreError, match="existent déjà"):
        keys_create()
    assert (keys / "keyring.wrapped").read_bytes() == before


def test_it_fails_closed_without_the_master_key(keys: Path) -> None:
    (keys / "master.key").unlink()
    keyring_forget()
    with pytest.raises(CryptoError):
        current_keyring()
