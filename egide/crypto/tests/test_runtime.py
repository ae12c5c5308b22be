"""The process keyring: created once by init, unwrapped with the master key, never replaced silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.crypto.errors import CryptoError, KeyStoreError
from egide.crypto.hierarchy import load_keyring
from egide.crypto.providers import FileProvider
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


def test_init_finishes_after_a_crash_between_the_master_key_and_the_keyring(
    settings: SettingsWrapper,
) -> None:
    settings.KEY_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring_forget()
    master = FileProvider(settings.KEY_DIR).create()  # the crash: no keyring.wrapped yet
    keys_create()
    assert load_keyring(settings.KEY_DIR / "keyring.wrapped", master).current_version == 1
    assert current_keyring().current_version == 1
