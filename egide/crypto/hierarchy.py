"""Key hierarchy: master key -> keyring of root-key versions -> purpose keys.

::

    master key (32 random bytes: key file, sealed passphrase or HSM; printed as the recovery kit)
      └─ wraps the keyring (JSON, AES-256-GCM, AAD "egide-keyring-v1"); the wrapped keyring travels
         with backups, useless without the master key
           └─ root key version n (32 random bytes)
                └─ purpose keys, HKDF-SHA256(root, info=<label>), one per purpose (STYLE "Crypto
                   envelopes"): key wrapping of per-patient data keys, fields, blind indexes,
                   document streams, audit signing, API token hashing

Rotating root versions never changes the master key, so the printed kit never needs reprinting
(the scheme HashiCorp Vault uses with its unseal keys, master key and keyring; DESIGN "Data and
storage"). Old root versions stay in the keyring so every backup stays readable.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypedDict

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from egide.crypto.envelope import KEY_BYTES, open_bytes, seal_bytes
from egide.crypto.errors import KeyringError, KeyStoreError, UnknownKeyError
from egide.crypto.files import replace_file

KEYRING_AAD = b"egide-keyring-v1"
MASTER_KEY_ID = "master"
_VERSION_PATTERN = r"[1-9][0-9]{0,8}"
_ROOT_KEY_ID_PATTERN = re.compile(rf"root-({_VERSION_PATTERN})")


class Purpose(StrEnum):
    """HKDF info labels: one derived key per purpose, so a key never serves two algorithms."""

    # Not the raw root key: the root is HKDF input keying material, never an AES key itself.
    KEY_WRAP = "egide/key-wrap/v1"
    FIELD = "egide/field/v1"
    BLIND_INDEX = "egide/blind-index/v1"
    DOCUMENT_STREAM = "egide/document-stream/v1"
    AUDIT_SIGNING = "egide/audit-signing/v1"
    TOKEN_HASH = "egide/token-hash/v1"  # noqa: S105 - an HKDF label, not a secret


@dataclass(frozen=True, repr=False)
class MasterKey:
    """The 32-byte master key; its repr never shows the bytes (reprs end up in logs)."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise ValueError("La clé maîtresse doit faire 256 bits.")

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(os.urandom(KEY_BYTES))

    def __repr__(self) -> str:
        return "MasterKey(<secret>)"


@dataclass(frozen=True, repr=False)
class PurposeKey:
    """A key derived for one purpose from one root version; the version travels with the key so
    what it produces (blind indexes, signatures) can say which version to check it with."""

    purpose: Purpose
    version: int
    key: bytes

    def __repr__(self) -> str:
        return f"PurposeKey({self.purpose.value!r}, version={self.version})"


def root_key_id(version: int) -> str:
    """Envelope key id of a root version (`root-3`)."""
    return f"root-{version}"


def root_version_of(key_id: str) -> int:
    """Inverse of `root_key_id`; raise `UnknownKeyError` for any other key id."""
    match = _ROOT_KEY_ID_PATTERN.fullmatch(key_id)
    if match is None:
        raise UnknownKeyError(f"Clé « {key_id} » inconnue : ce n'est pas une clé racine.")
    return int(match[1])


def _is_version(value: object) -> bool:
    # bool is an int subclass; `true` in a keyring file is corruption, not version 1.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class Keyring:
    """Ordered root-key versions: the current one wraps new data keys, every one still unwraps.

    A retired version has been fully rotated away: it no longer gets blind-index searches
    (`live_versions`) but keeps its key, so an older backup restored later stays readable.
    """

    def __init__(
        self,
        roots: Mapping[int, bytes],
        current_version: int,
        retired_versions: Iterable[int] = (),
    ) -> None:
        retired = frozenset(retired_versions)
        if (
            not roots
            or not all(_is_version(version) for version in roots)
            or not all(len(key) == KEY_BYTES for key in roots.values())
            or current_version not in roots
            or current_version in retired
            or not retired.issubset(roots)
        ):
            raise KeyringError("Trousseau de clés incohérent : versions ou clés invalides.")
        self._roots = dict(sorted(roots.items()))
        self._current_version = current_version
        self._retired = retired

    @classmethod
    def create(cls) -> Keyring:
        """A new keyring with one random root key, version 1."""
        return cls({1: os.urandom(KEY_BYTES)}, current_version=1)

    def __repr__(self) -> str:
        return f"Keyring(current_version={self._current_version}, versions={self.versions})"

    @property
    def current_version(self) -> int:
        return self._current_version

    @property
    def versions(self) -> tuple[int, ...]:
        return tuple(self._roots)

    @property
    def retired_versions(self) -> frozenset[int]:
        return self._retired

    @property
    def live_versions(self) -> tuple[int, ...]:
        """Versions a search must compute one blind index for (rotation may be in progress)."""
        return tuple(version for version in self._roots if version not in self._retired)

    def add_version(self) -> int:
        """Add a random root key, make it current and return its version.

        Save the keyring (`save_keyring`) before wrapping anything under the new version: a crash
        must never leave data under a root key that exists only in memory.
        """
        version = max(self._roots) + 1
        self._roots[version] = os.urandom(KEY_BYTES)
        self._current_version = version
        return version

    def retire(self, version: int) -> None:
        """Mark a rotated-away version retired; the current version can never be retired."""
        if version not in self._roots:
            raise UnknownKeyError(f"Version de clé racine n°{version} inconnue.")
        if version == self._current_version:
            raise KeyringError(
                f"La version n°{version} est la version courante : ajoutez une nouvelle version "
                "et terminez la rotation avant de la retirer."
            )
        self._retired = self._retired | {version}

    def purpose_key(self, purpose: Purpose, version: int | None = None) -> PurposeKey:
        """The key for `purpose` derived from root `version` (default: the current version)."""
        if version is None:
            version = self._current_version
        root = self._roots.get(version)
        if root is None:
            raise UnknownKeyError(
                f"Version de clé racine n°{version} inconnue : le trousseau chargé est-il le bon ?"
            )
        derived = HKDF(
            algorithm=SHA256(), length=KEY_BYTES, salt=None, info=purpose.value.encode("ascii")
        ).derive(root)
        return PurposeKey(purpose, version, derived)

    def live_purpose_keys(self, purpose: Purpose) -> list[PurposeKey]:
        """One key per live version, e.g. to compute every blind index a search must look for."""
        return [self.purpose_key(purpose, version) for version in self.live_versions]

    def wrap(self, master: MasterKey) -> bytes:
        """The keyring encrypted under the master key (bytes envelope), safe to back up."""
        document: _KeyringDocument = {
            "current_version": self._current_version,
            "retired_versions": sorted(self._retired),
            "roots": {
                str(version): base64.b64encode(key).decode("ascii") for version, key in self._roots.items()
            },
        }
        plaintext = json.dumps(document, sort_keys=True).encode("utf-8")
        return seal_bytes(master.key, MASTER_KEY_ID, plaintext, KEYRING_AAD)

    @classmethod
    def unwrap(cls, master: MasterKey, wrapped: bytes) -> Keyring:
        """Inverse of `wrap`; a wrong master key or an altered file raises `DecryptionError`."""
        plaintext = open_bytes({MASTER_KEY_ID: master.key}, wrapped, KEYRING_AAD)
        return _parse_keyring(plaintext)


class _KeyringDocument(TypedDict):
    current_version: int
    retired_versions: list[int]
    roots: dict[str, str]  # decimal version -> standard base64 of the 32-byte root key


def _parse_keyring(plaintext: bytes) -> Keyring:
    # Authenticated, so a parse failure means a bug or a foreign file: refuse, never guess.
    corrupt = KeyringError("Trousseau de clés illisible : contenu inattendu après déchiffrement.")
    try:
        document = json.loads(plaintext)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise corrupt from None
    if not isinstance(document, dict) or document.keys() != _KeyringDocument.__required_keys__:
        raise corrupt
    current, retired, roots = (
        document["current_version"],
        document["retired_versions"],
        document["roots"],
    )
    if not isinstance(roots, dict) or not isinstance(retired, list):
        raise corrupt
    if not _is_version(current) or not all(_is_version(version) for version in retired):
        raise corrupt
    parsed_roots: dict[int, bytes] = {}
    for version_text, encoded in roots.items():
        if not re.fullmatch(_VERSION_PATTERN, version_text) or not isinstance(encoded, str):
            raise corrupt
        try:
            parsed_roots[int(version_text)] = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise corrupt from None
    return Keyring(parsed_roots, current, retired)


def save_keyring(path: Path, keyring: Keyring, master: MasterKey) -> None:
    """Write the wrapped keyring atomically (all or nothing, synced) at `path`."""
    replace_file(path, keyring.wrap(master))


def load_keyring(path: Path, master: MasterKey) -> Keyring:
    """Read and unwrap the keyring file written by `save_keyring`."""
    try:
        wrapped = path.read_bytes()
    except FileNotFoundError:
        raise KeyStoreError(
            f"Trousseau de clés introuvable ({path}) : restaurez-le depuis une sauvegarde."
        ) from None
    return Keyring.unwrap(master, wrapped)


def audit_signing_key(keyring: Keyring, version: int | None = None) -> Ed25519PrivateKey:
    """Deterministic Ed25519 key of a root version, for signing audit checkpoints.

    Derived, not stored: the recovery kit and any backup of the keyring bring it back.
    """
    seed = keyring.purpose_key(Purpose.AUDIT_SIGNING, version).key
    return Ed25519PrivateKey.from_private_bytes(seed)


def audit_public_key(keyring: Keyring, version: int | None = None) -> bytes:
    """Raw 32-byte Ed25519 public key matching `audit_signing_key`, for exports and verifiers."""
    public_key = audit_signing_key(keyring, version).public_key()
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
