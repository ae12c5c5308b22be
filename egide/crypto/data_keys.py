"""Per-patient data keys, wrapped under the current root version.

Each patient has one random data key; every personal field and document of that patient is
encrypted under it (DESIGN "Cryptography"). The data key is stored wrapped, as a text envelope
whose key id names the root version (`root-<n>`), under the root's key-wrap purpose key. The data
key's own id (`dk-<uuid>`) is bound into the associated data, so a wrapped key cannot be moved
to another id, and it is what the crypto-shredding journal records.

Destroying a data key (crypto-shredding), in this order so a crash in between still leaves the
patient erased: 1. append its id to the journal (synced); 2. delete the wrapped copy. Every unwrap
consults the journal, so an older database copy opened by Égide stays erased.
"""

from __future__ import annotations

import os
import uuid

from egide.crypto.envelope import KEY_BYTES, KEY_ID_PATTERN, open_, seal
from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.hierarchy import Keyring, Purpose, root_key_id, root_version_of
from egide.crypto.shredding import ShreddingJournal


def new_data_key() -> bytes:
    """32 random bytes: an AES-256 key for one patient."""
    return os.urandom(KEY_BYTES)


def new_data_key_id() -> str:
    """A fresh data key id (`dk-<uuid4>`), opaque: it says nothing about the patient."""
    return f"dk-{uuid.uuid4()}"


def _bound_aad(data_key_id: str, aad: bytes) -> bytes:
    if not KEY_ID_PATTERN.fullmatch(data_key_id):
        raise ValueError("Identifiant de clé de données invalide.")
    if not aad:
        raise ValueError("Les données associées sont obligatoires (modèle, champ, identifiant).")
    # The id alphabet has no NUL, so id || NUL || aad is unambiguous.
    return data_key_id.encode("ascii") + b"\x00" + aad


def _wrapping_key(keyring: Keyring, key_id: str) -> bytes:
    return keyring.purpose_key(Purpose.KEY_WRAP, root_version_of(key_id)).key


def wrap_data_key(keyring: Keyring, data_key: bytes, aad: bytes, *, data_key_id: str) -> str:
    """Wrap `data_key` under the current root version (envelope key id `root-<n>`)."""
    if len(data_key) != KEY_BYTES:
        raise ValueError("La clé de données doit faire 256 bits.")
    version = keyring.current_version
    wrapping_key = keyring.purpose_key(Purpose.KEY_WRAP, version).key
    return seal(wrapping_key, root_key_id(version), data_key, _bound_aad(data_key_id, aad))


def unwrap_data_key(
    keyring: Keyring,
    wrapped: str,
    aad: bytes,
    *,
    data_key_id: str,
    journal: ShreddingJournal | None = None,
) -> bytes:
    """Unwrap a data key with whichever root version wrapped it.

    Raise `ShreddedKeyError` if the journal records the key as destroyed: checked before any
    decryption, so a shredded key is never brought back, even from an older database copy.
    """
    bound_aad = _bound_aad(data_key_id, aad)
    if journal is not None and journal.contains(data_key_id):
        raise ShreddedKeyError(
            f"La clé de données « {data_key_id} » a été détruite : ces données ont été effacées "
            "définitivement."
        )
    data_key = open_(lambda key_id: _wrapping_key(keyring, key_id), wrapped, bound_aad)
    if len(data_key) != KEY_BYTES:
        raise CryptoError(f"La clé de données « {data_key_id} » n'a pas la longueur attendue.")
    return data_key


def rewrap_data_key(
    keyring: Keyring,
    wrapped: str,
    aad: bytes,
    *,
    data_key_id: str,
    journal: ShreddingJournal | None = None,
) -> str:
    """Re-wrap under the current root version (rotation); the data key itself does not change,
    so nothing encrypted under it needs re-encrypting."""
    data_key = unwrap_data_key(keyring, wrapped, aad, data_key_id=data_key_id, journal=journal)
    return wrap_data_key(keyring, data_key, aad, data_key_id=data_key_id)
