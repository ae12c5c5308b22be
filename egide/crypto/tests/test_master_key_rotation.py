"""Master-key rotation re-wraps the keyring under a new master key, survives a crash between its
steps, and the old key (and its kit) no longer opens the current keyring."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.crypto import runtime
from egide.crypto.errors import DecryptionError
from egide.crypto.hierarchy import Keyring, MasterKey, load_keyring, save_keyring
from egide.crypto.providers import FileProvider
from egide.crypto.selectors import master_key_fingerprint
from egide.crypto.services import data_key_create, data_key_get, master_key_rotate

pytestmark = pytest.mark.django_db


def test_it_replaces_the_master_key_and_keeps_every_data_key(keys: Path) -> None:
    old_master = runtime.current_master_key()
    data_key_id, data_key = data_key_create(aad_context="patients.Patient|1")

    fingerprint = master_key_rotate()

    new_master = runtime.current_master_key()
    assert new_master != old_master and fingerprint == master_key_fingerprint(new_master)
    runtime.keyring_forget()
    assert data_key_get(data_key_id=data_key_id) == data_key
    with pytest.raises(DecryptionError):
        load_keyring(runtime.keyring_path(), old_master)
    assert not (keys / "next").exists()


def test_it_finishes_a_rotation_interrupted_after_the_keyring_was_rewrapped(keys: Path) -> None:
    keyring = runtime.current_keyring()
    new_master = MasterKey.generate()
    FileProvider(keys / "next").create(new_master)  # step 1
    save_keyring(runtime.keyring_path(), keyring, new_master)  # step 2, then the power went out
    runtime.keyring_forget()

    assert runtime.current_keyring().versions == keyring.versions
    assert runtime.current_master_key() == new_master
    assert not (keys / "next").exists()


def test_it_drops_a_pending_key_that_never_wrapped_anything(keys: Path) -> None:
    FileProvider(keys / "next").create(MasterKey.generate())  # crashed after step 1
    master_key_rotate()
    assert isinstance(runtime.current_keyring(), Keyring)
    assert not (keys / "next").exists()
