"""Master-key providers: where the master key lives, behind one small protocol.

- `FileProvider`: ``master.key`` (base64 of 32 random bytes), 0600 in a 0700 key directory. The
  embedded default: Égide starts unattended after a power cut.
- `SealedProvider`: ``master.sealed``, the master key encrypted under a key stretched from a
  passphrase with Argon2id; a person unseals Égide after each start. Nothing on disk opens it.
- An HSM (PKCS#11) provider for the scaled mode implements the same protocol later.

The recovery kit (`recovery.py`) backs up the master key whichever provider holds it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypedDict

from argon2.low_level import Type, hash_secret_raw

from egide.crypto.envelope import KEY_BYTES, NONCE_BYTES, TAG_BYTES, aead_decrypt, aead_encrypt
from egide.crypto.errors import DecryptionError, KeyStoreError, SealedError
from egide.crypto.files import ensure_private_dir, read_all, write_new_file
from egide.crypto.hierarchy import MasterKey

MASTER_KEY_FILE = "master.key"
SEALED_FILE = "master.sealed"
SEALED_AAD = b"egide-master-sealed-v1"
SEALED_SCHEME = "argon2id-aes256gcm-v1"
SALT_BYTES = 16  # RFC 9106 §3.1: 128-bit salt is enough for all applications.
# The shortest length any 80-bit example of CNIL délib. 2022-100 (case 1, secret used alone)
# allows; the sealed file can be attacked offline, so the full policy (character classes, or
# 7 words) is enforced where the passphrase is chosen, this is only the floor.
MIN_PASSPHRASE_LENGTH = 12
# Bounds on parameters read from a file, so an altered file cannot make unsealing exhaust memory.
_MAX_TIME_COST = 64
_MAX_MEMORY_COST_KIB = 4 * 1024 * 1024
_MAX_PARALLELISM = 64


class MasterKeyProvider(Protocol):
    def load(self) -> MasterKey:
        """The master key; raise `SealedError` while sealed, `KeyStoreError` if unusable."""
        ...

    def is_sealed(self) -> bool:
        """True while a person must act (passphrase, token) before `load` can succeed."""
        ...


def _read_private_file(path: Path) -> bytes:
    """Read a key file, refusing one that another account could read or replace."""
    try:
        # O_NOFOLLOW and fstat on the open descriptor: what is checked is what is read.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise KeyStoreError(
            f"Fichier de clé introuvable : {path}. Restaurez-le, ou utilisez le kit de secours."
        ) from None
    except OSError:
        raise KeyStoreError(f"Fichier de clé inutilisable (lien ou droits) : {path}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyStoreError(f"{path} n'est pas un fichier ordinaire : refus de l'utiliser.")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise KeyStoreError(
                f"Permissions trop larges sur {path} ({mode:04o}) : d'autres comptes pourraient "
                f"lire la clé. Corrigez avec « chmod 600 {path} » puis relancez Égide."
            )
        return read_all(fd)
    finally:
        os.close(fd)


def _create_private_file(key_dir: Path, path: Path, data: bytes) -> None:
    ensure_private_dir(key_dir)
    try:
        write_new_file(path, data)
    except FileExistsError:
        raise KeyStoreError(f"{path} existe déjà : Égide refuse d'écraser une clé.") from None


class FileProvider:
    """Master key in a plain file, protected by file-system permissions (0600 in 0700)."""

    def __init__(self, key_dir: Path | str) -> None:
        self.key_dir = Path(key_dir)
        self.path = self.key_dir / MASTER_KEY_FILE

    def create(self, master: MasterKey | None = None) -> MasterKey:
        """Write a new (or the given) master key; refuse if one exists."""
        if master is None:
            master = MasterKey.generate()
        _create_private_file(self.key_dir, self.path, base64.b64encode(master.key) + b"\n")
        return master

    def load(self) -> MasterKey:
        raw = _read_private_file(self.path)
        try:
            key = base64.b64decode(raw.strip(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise KeyStoreError(f"Fichier de clé maîtresse illisible : {self.path}.")
        return MasterKey(key)

    def is_sealed(self) -> bool:
        return False


class _SealedDocument(TypedDict):
    scheme: str
    salt: str  # standard base64
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int
    ciphertext: str  # standard base64 of nonce || ciphertext || tag


def _derive(passphrase: str, salt: bytes, time_cost: int, memory_cost: int, parallelism: int) -> bytes:
    # NFC: the same passphrase typed on macOS (NFD) and Linux (NFC) must give the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hash_secret_raw(
        secret,
        salt,
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


@dataclass(frozen=True)
class _SealedParameters:
    salt: bytes
    time_cost: int
    memory_cost: int
    parallelism: int
    ciphertext: bytes


def _parse_sealed(raw: bytes, path: Path) -> _SealedParameters:
    unreadable = KeyStoreError(f"Fichier scellé illisible : {path}. Restaurez-le depuis une sauvegarde.")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise unreadable from None
    if not isinstance(document, dict) or document.keys() != _SealedDocument.__required_keys__:
        raise unreadable
    if document["scheme"] != SEALED_SCHEME:
        raise unreadable
    costs = (document["time_cost"], document["memory_cost"], document["parallelism"])
    for value, maximum in zip(costs, (_MAX_TIME_COST, _MAX_MEMORY_COST_KIB, _MAX_PARALLELISM), strict=True):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
            raise unreadable
    try:
        salt = base64.b64decode(document["salt"], validate=True)
        ciphertext = base64.b64decode(document["ciphertext"], validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise unreadable from None
    if len(salt) < SALT_BYTES or len(ciphertext) != NONCE_BYTES + KEY_BYTES + TAG_BYTES:
        raise unreadable
    return _SealedParameters(salt, *costs, ciphertext)


class SealedProvider:
    """Master key sealed under a passphrase (Argon2id + AES-256-GCM); `unseal` after each start.

    Default Argon2id parameters are RFC 9106 §4's second recommended option (64 MiB, t=3, p=4),
    sized for the modest server of a small practice; tests pass small ones.
    """

    def __init__(
        self,
        key_dir: Path | str,
        *,
        time_cost: int = 3,
        memory_cost: int = 65536,
        parallelism: int = 4,
    ) -> None:
        self.key_dir = Path(key_dir)
        self.path = self.key_dir / SEALED_FILE
        self.time_cost = time_cost
        self.memory_cost = memory_cost
        self.parallelism = parallelism
        self._master: MasterKey | None = None

    def create(self, passphrase: str, master: MasterKey) -> None:
        """Seal `master` under `passphrase` into a new file; refuse if one exists."""
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise ValueError(f"Phrase de passe trop courte : au moins {MIN_PASSPHRASE_LENGTH} caractères.")
        salt = os.urandom(SALT_BYTES)
        key = _derive(passphrase, salt, self.time_cost, self.memory_cost, self.parallelism)
        document: _SealedDocument = {
            "scheme": SEALED_SCHEME,
            "salt": base64.b64encode(salt).decode("ascii"),
            "time_cost": self.time_cost,
            "memory_cost": self.memory_cost,
            "parallelism": self.parallelism,
            "ciphertext": base64.b64encode(aead_encrypt(key, master.key, SEALED_AAD)).decode("ascii"),
        }
        data = json.dumps(document, sort_keys=True, indent=2).encode("ascii") + b"\n"
        _create_private_file(self.key_dir, self.path, data)
        self._master = master

    def unseal(self, passphrase: str) -> MasterKey:
        """Open the sealed file; a wrong passphrase raises `SealedError`."""
        sealed = _parse_sealed(_read_private_file(self.path), self.path)
        # The file's own parameters, not the constructor's: a file sealed before a change of
        # defaults must still open.
        key = _derive(passphrase, sealed.salt, sealed.time_cost, sealed.memory_cost, sealed.parallelism)
        try:
            master = MasterKey(aead_decrypt(key, sealed.ciphertext, SEALED_AAD))
        except DecryptionError:
            raise SealedError("Phrase de passe incorrecte.") from None
        self._master = master
        return master

    def load(self) -> MasterKey:
        if self._master is None:
            raise SealedError("Égide est scellé : saisissez la phrase de passe pour le desceller.")
        return self._master

    def is_sealed(self) -> bool:
        return self._master is None
