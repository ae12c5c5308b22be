"""The running process's keys: the master key from its provider, and the keyring it unwraps.

The master key never leaves memory; the wrapped keyring lives in the key directory
(`keyring.wrapped`) and may travel with backups (useless without the master key).
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings

from egide.crypto.errors import KeyStoreError
from egide.crypto.hierarchy import Keyring, MasterKey, load_keyring, save_keyring
from egide.crypto.providers import FileProvider, MasterKeyProvider

KEYRING_FILE = "keyring.wrapped"

_lock = threading.Lock()
_cache: dict[str, Keyring] = {}


def key_dir() -> Path:
    return Path(settings.KEY_DIR)


def keyring_path() -> Path:
    return key_dir() / KEYRING_FILE


def master_key_provider() -> MasterKeyProvider:
    return FileProvider(key_dir())


def keys_exist() -> bool:
    return keyring_path().exists()


def keys_create() -> None:
    """First installation: a new master key and a keyring with root version 1."""
    if keys_exist():
        raise KeyStoreError("Les clés existent déjà : rien n'a été remplacé.")
    master: MasterKey = FileProvider(key_dir()).create()
    save_keyring(keyring_path(), Keyring.create(), master)
    keyring_forget()


def current_keyring() -> Keyring:
    """The keyring of this process, unwrapped once with the master key (fails closed)."""
    path = str(keyring_path())
    with _lock:
        keyring = _cache.get(path)
        if keyring is None:
            keyring = load_keyring(keyring_path(), master_key_provider().load())
            _cache[path] = keyring
        return keyring


def keyring_forget() -> None:
    """Drop the cached keyring (after a rotation, or in tests that change the key directory)."""
    with _lock:
        _cache.clear()
