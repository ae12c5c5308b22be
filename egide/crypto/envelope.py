"""Self-describing, versioned AES-256-GCM envelopes.

Text form, for database fields::

    v1$<key-id>$<base64url without padding of nonce || ciphertext || tag>

Bytes form, for wrapped keys and files: the same header as ASCII, then the raw
``nonce || ciphertext || tag`` (``b"v1$<key-id>$" + payload``).

Scheme ``v1`` is AES-256-GCM (``cryptography``'s AESGCM) with a 96-bit random nonce. A random nonce
is safe for about 2**32 messages per key (NIST SP 800-38D §8.3); data keys are per patient and root
keys rotate, so no key comes near that.

Associated data is mandatory: it binds a ciphertext to its place (for example
``b"patients.Patient|birth_name|<uuid>"``) so it cannot be moved to another record or field
(DESIGN "Cryptography"). The header (scheme and key id) is bound too, so an envelope cannot be
relabelled. The first key encrypts, every known key decrypts (STYLE "Crypto envelopes"); any doubt
raises a `CryptoError`, never returns plaintext.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from egide.crypto.errors import (
    CryptoError,
    DecryptionError,
    MalformedEnvelopeError,
    UnknownKeyError,
    UnknownSchemeError,
)

SCHEME = "v1"
KEY_BYTES = 32  # AES-256 only: a 128-bit key handed over by mistake must not silently downgrade.
NONCE_BYTES = 12  # 96 bits, the GCM nonce size that needs no extra hashing (SP 800-38D §8.2).
TAG_BYTES = 16
SEPARATOR = "$"
# Key ids are written in the clear: a small alphabet without the separator keeps parsing unambiguous
# (`root-3`, `dk-<uuid>`, `master`).
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_BASE64URL_PATTERN = re.compile(r"[A-Za-z0-9_-]*")

# Either a mapping key id -> key, or a function that returns the key or raises UnknownKeyError/KeyError.
KeyLookup = Mapping[str, bytes] | Callable[[str], bytes]

_NOT_AN_ENVELOPE = "Donnée chiffrée illisible : format inattendu ou valeur tronquée."
_TAMPERED = (
    "Déchiffrement refusé : la donnée a été altérée, ou elle ne correspond pas à cet emplacement "
    "ou à cette clé."
)


def _check_key_id(key_id: str) -> None:
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise ValueError("Identifiant de clé invalide : lettres, chiffres, « . », « _ » ou « - ».")


def _check_aad(aad: bytes) -> None:
    if not aad:
        # Without associated data a ciphertext could be swapped between records unnoticed.
        raise ValueError("Les données associées sont obligatoires (modèle, champ, identifiant).")


def aead_encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM with a fresh random nonce; returns ``nonce || ciphertext || tag``."""
    if len(key) != KEY_BYTES:
        raise ValueError("La clé de chiffrement doit faire 256 bits.")
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def aead_decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Open ``nonce || ciphertext || tag`` from `aead_encrypt`; raise on any doubt."""
    if len(key) != KEY_BYTES:
        raise CryptoError("La clé de déchiffrement n'a pas la longueur attendue (256 bits).")
    if len(sealed) < NONCE_BYTES + TAG_BYTES:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(_TAMPERED) from None


def _header(key_id: str) -> bytes:
    return f"{SCHEME}{SEPARATOR}{key_id}{SEPARATOR}".encode("ascii")


def _seal_payload(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
    _check_key_id(key_id)
    _check_aad(aad)
    return aead_encrypt(key, plaintext, _header(key_id) + aad)


def _check_header(scheme: str, key_id: str) -> None:
    if scheme != SCHEME:
        # The scheme is not echoed: a value that was never encrypted must not end up in a log.
        raise UnknownSchemeError(
            "Schéma de chiffrement inconnu : cette donnée a peut-être été écrite par une version "
            "plus récente d'Égide."
        )
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)


def _resolve_key(keys: KeyLookup, key_id: str) -> bytes:
    try:
        key = keys[key_id] if isinstance(keys, Mapping) else keys(key_id)
    except KeyError:
        raise UnknownKeyError(
            f"Clé « {key_id} » inconnue : le trousseau chargé ne permet pas de lire cette donnée."
        ) from None
    if len(key) != KEY_BYTES:
        # The key id is public (it is written in every envelope); the key itself is never shown.
        raise CryptoError(f"La clé « {key_id} » n'a pas la longueur attendue (256 bits).")
    return key


def _open_payload(keys: KeyLookup, key_id: str, payload: bytes, aad: bytes) -> bytes:
    _check_aad(aad)
    return aead_decrypt(_resolve_key(keys, key_id), payload, _header(key_id) + aad)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not _BASE64URL_PATTERN.fullmatch(text):
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE) from None
    # Only the canonical encoding is accepted: otherwise two different strings (differing in the
    # unused low bits of the last character) would open to the same plaintext.
    if _b64encode(data) != text:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    return data


def seal(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> str:
    """Encrypt `plaintext` under `key` (named `key_id`), bound to `aad`; text form."""
    payload = _seal_payload(key, key_id, plaintext, aad)  # validates key_id before it is used
    return _header(key_id).decode("ascii") + _b64encode(payload)


def open_(keys: KeyLookup, envelope: str, aad: bytes) -> bytes:
    """Decrypt a text envelope with whichever known key it names; raise `CryptoError` otherwise."""
    parts = envelope.split(SEPARATOR)
    if len(parts) != 3:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    scheme, key_id, encoded = parts
    _check_header(scheme, key_id)
    return _open_payload(keys, key_id, _b64decode(encoded), aad)


def seal_bytes(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
    """Same as `seal`, bytes form (``b"v1$<key-id>$" + nonce || ciphertext || tag``)."""
    payload = _seal_payload(key, key_id, plaintext, aad)  # validates key_id before it is used
    return _header(key_id) + payload


def open_bytes(keys: KeyLookup, envelope: bytes, aad: bytes) -> bytes:
    """Same as `open_`, bytes form."""
    parts = envelope.split(SEPARATOR.encode("ascii"), 2)
    if len(parts) != 3:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    raw_scheme, raw_key_id, payload = parts
    try:
        scheme, key_id = raw_scheme.decode("ascii"), raw_key_id.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE) from None
    _check_header(scheme, key_id)
    return _open_payload(keys, key_id, payload, aad)


def key_id_of(envelope: str) -> str:
    """The key id an envelope names (to find what a rotation must re-encrypt); no decryption."""
    parts = envelope.split(SEPARATOR)
    if len(parts) != 3:
        raise MalformedEnvelopeError(_NOT_AN_ENVELOPE)
    _check_header(parts[0], parts[1])
    return parts[1]
