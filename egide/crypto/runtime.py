"""The running process's keys: the master key from its provider, and the keyring it unwraps.

The master key never leaves memory; the wrapped keyring lives in the key directory
(`keyring.wrapped`) and may travel with backups (useless without the master key).

Sealed provider and `egide serve`: an unsealed master key lives only in the memory of the process
that unsealed it; nothing hands it to another process (no agent socket, nothing on disk). So a
sealed installation either reads its passphrase at start from EGIDE_KEY_PASSPHRASE_FILE (every
process, web and worker, unseals itself), or `egide serve` asks for it once on its terminal
(`services.keyring_unseal_interactively`) before gunicorn forks, and the workers inherit the unsealed key.
`egide unseal` checks a passphrase and says which of the two to use; it cannot unseal another
running process.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from egide.core.errors import Sealed
from egide.crypto.errors import DecryptionError, KeyringError, KeyStoreError, SealedError
from egide.crypto.files import ensure_private_dir, fsync_dir
from egide.crypto.hierarchy import Keyring, MasterKey, load_keyring, save_keyring
from egide.crypto.providers import (
    MASTER_KEY_FILE,
    MIN_PASSPHRASE_LENGTH,
    SEALED_FILE,
    FileProvider,
    MasterKeyProvider,
    SealedProvider,
)
from egide.crypto.rotation import master_key_dependents
from egide.crypto.shredding import ShreddingJournal

KEYRING_FILE = "keyring.wrapped"
LOCK_FILE = "keys.lock"
JOURNAL_FILE = "shredding.journal"
# A new master key written before the keyring is re-wrapped under it (`master_key_rotate`).
PENDING_DIR = "next"
# Argon2id cost of a new sealed file (RFC 9106 §4, second recommended option); tests lower it.
SEALED_COST: dict[str, int] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

_lock = threading.RLock()
# path -> (file stamp, keyring): a rotation in another process replaces the file, and every
# process sees the new current version at its next call (rotation is online).
_cache: dict[str, tuple[tuple[int, int, int], Keyring]] = {}
_sealed: dict[str, SealedProvider] = {}
# key dir -> (French reason, passphrase file stamp) of the last failed unseal from the file.
_unseal_failures: dict[str, tuple[str, tuple[str, int, int, int]]] = {}
logger = logging.getLogger(__name__)


def key_dir() -> Path:
    return Path(settings.KEY_DIR)


def keyring_path() -> Path:
    return key_dir() / KEYRING_FILE


def shredding_journal() -> ShreddingJournal:
    return ShreddingJournal(key_dir() / JOURNAL_FILE)


def is_sealed_provider() -> bool:
    return bool(settings.KEY_PROVIDER == "sealed")


def master_file_path() -> Path:
    return key_dir() / (SEALED_FILE if is_sealed_provider() else MASTER_KEY_FILE)


def passphrase_from_file() -> str | None:
    """The passphrase in EGIDE_KEY_PASSPHRASE_FILE (final line break removed), None if unset."""
    if not settings.KEY_PASSPHRASE_FILE:
        return None
    path = Path(settings.KEY_PASSPHRASE_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise KeyStoreError(f"Fichier de phrase de passe illisible : {path}.") from None
    return text.removesuffix("\n").removesuffix("\r")


def _passphrase_file_stamp() -> tuple[str, int, int, int]:
    try:
        info = os.stat(settings.KEY_PASSPHRASE_FILE)
    except OSError:
        return (str(settings.KEY_PASSPHRASE_FILE), 0, 0, 0)
    return (str(settings.KEY_PASSPHRASE_FILE), info.st_ino, info.st_size, info.st_mtime_ns)


def _sealed_provider() -> SealedProvider:
    """This process's sealed provider; opened from EGIDE_KEY_PASSPHRASE_FILE at first use.

    A passphrase file that fails (wrong or unreadable) leaves Égide sealed, with the reason kept
    for `unseal_problem`; it is tried again only once the file changes, so a wrong file cannot
    make every request pay for Argon2id.
    """
    directory = str(key_dir())
    with _lock:
        provider = _sealed.get(directory)
        if provider is None:
            provider = SealedProvider(directory, **SEALED_COST)
            _sealed[directory] = provider
        if provider.is_sealed() and provider.path.exists() and settings.KEY_PASSPHRASE_FILE:
            stamp = _passphrase_file_stamp()
            failure = _unseal_failures.get(directory)
            if failure is None or failure[1] != stamp:
                try:
                    provider = _unseal_provider(provider, passphrase_from_file() or "")
                except (SealedError, KeyStoreError, DecryptionError) as error:
                    _unseal_failures[directory] = (str(error), stamp)
                    logger.warning("Descellement depuis EGIDE_KEY_PASSPHRASE_FILE impossible : %s", error)
                else:
                    _unseal_failures.pop(directory, None)
                    _sealed[directory] = provider
        return provider


def unseal_problem() -> str:
    """Why the passphrase file did not unseal this process ("" if it did, or there is none)."""
    failure = _unseal_failures.get(str(key_dir()))
    return f"EGIDE_KEY_PASSPHRASE_FILE : {failure[0]}" if failure else ""


def master_key_provider() -> MasterKeyProvider:
    """The provider chosen by EGIDE_KEY_PROVIDER; a sealed one opens itself from the passphrase
    file when there is one, and keeps its unsealed key for the life of the process."""
    if is_sealed_provider():
        return _sealed_provider()
    return FileProvider(key_dir())


def is_sealed() -> bool:
    return master_key_provider().is_sealed()


def require_unsealed() -> None:
    """Refuse patient operations while the master key is sealed (French message, HTTP 503)."""
    if is_sealed():
        raise Sealed


def unseal(passphrase: str) -> Keyring:
    """Unseal this process's master key and check it opens the keyring; `SealedError` if wrong."""
    with _lock:
        _sealed[str(key_dir())] = _unseal_provider(_sealed_provider(), passphrase)
    keyring_forget()
    return current_keyring()


def keys_exist() -> bool:
    return keyring_path().exists()


def passphrase_check(passphrase: str) -> None:
    """The floor for a new passphrase (the sealed file can be attacked offline)."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValueError(
            f"Phrase de passe trop courte : au moins {MIN_PASSPHRASE_LENGTH} caractères "
            "(une phrase de plusieurs mots est plus simple à retenir)."
        )
    # The installation's password policy too (CNIL 2022-100, common passwords refused): the
    # messages explain the rule and never repeat the passphrase.
    try:
        validate_password(passphrase)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def master_key_store(master: MasterKey, *, passphrase: str | None = None) -> None:
    """Write `master` with the configured provider (refuses to overwrite an existing one)."""
    if is_sealed_provider():
        if passphrase is None:
            raise KeyStoreError("Une phrase de passe est nécessaire pour sceller la clé maîtresse.")
        passphrase_check(passphrase)
        with _lock:
            provider = SealedProvider(key_dir(), **SEALED_COST)
            provider.create(passphrase, master)
            _sealed[str(key_dir())] = provider
    else:
        FileProvider(key_dir()).create(master)


def keys_create(*, passphrase: str | None = None) -> None:
    """First installation: a new master key and a keyring with root version 1."""
    if keys_exist():
        raise KeyStoreError("Les clés existent déjà : rien n'a été remplacé.")
    if master_file_path().exists():
        # A crash after the master key was written and before the keyring: finish with that key
        # (never replace a master key that may already be printed on a recovery kit).
        master = _existing_master(passphrase)
    else:
        master = MasterKey.generate()
        master_key_store(master, passphrase=passphrase)
    save_keyring(keyring_path(), Keyring.create(), master)
    keyring_forget()


def _existing_master(passphrase: str | None) -> MasterKey:
    if not is_sealed_provider():
        return FileProvider(key_dir()).load()
    if passphrase is None:
        raise KeyStoreError("Une phrase de passe est nécessaire pour ouvrir la clé maîtresse existante.")
    return SealedProvider(key_dir(), **SEALED_COST).unseal(passphrase)


def _stamp(path: Path) -> tuple[int, int, int]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise KeyStoreError(
            f"Trousseau de clés introuvable ({path}) : restaurez-le depuis une sauvegarde."
        ) from None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def current_keyring() -> Keyring:
    """The keyring of this process, unwrapped with the master key (fails closed); re-read when
    another process (a rotation) replaced the file."""
    path = keyring_path()
    with _lock:
        stamp = _stamp(path)
        cached = _cache.get(str(path))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        master = master_key_provider().load()
        try:
            keyring = load_keyring(path, master)
        except DecryptionError:
            keyring = _reload_after_master_rotation(path)
        _cache[str(path)] = (stamp, keyring)
        return keyring


def _reload_after_master_rotation(path: Path) -> Keyring:
    if not is_sealed_provider():
        return _finish_master_rotation(path)
    # The sealed key was changed by `egide keys rotate-master` in another process: this process
    # seals itself again, and reopens the new key from the passphrase file if there is one;
    # otherwise patient operations get `Sealed` (503) until a restart asks the passphrase.
    _sealed.pop(str(key_dir()), None)
    _unseal_failures.pop(str(key_dir()), None)
    if is_sealed():
        raise Sealed
    return load_keyring(path, master_key_provider().load())


def current_master_key() -> MasterKey:
    return master_key_provider().load()


def keyring_save(keyring: Keyring) -> None:
    """Write the keyring under the current master key; every process picks it up."""
    with _lock:
        save_keyring(keyring_path(), keyring, current_master_key())
        _cache.clear()


def keyring_forget() -> None:
    """Drop the cached keyring (after a rotation, or in tests that change the key directory)."""
    with _lock:
        _cache.clear()


def forget_unsealed() -> None:
    """Forget unsealed master keys (tests; a process that must seal itself again)."""
    with _lock:
        _sealed.clear()
        _unseal_failures.clear()
        _cache.clear()


@contextmanager
def key_operation_lock() -> Iterator[None]:
    """One keyring-changing operation at a time (root rotation, master rotation), across
    processes: both rewrite keyring.wrapped. flock is released by the kernel if the process dies."""
    ensure_private_dir(key_dir())
    fd = os.open(key_dir() / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KeyringError(
                "Une autre opération sur les clés (rotation) est en cours : attendez qu'elle finisse."
            ) from None
        yield
    finally:
        os.close(fd)


def _pending_dir() -> Path:
    return key_dir() / PENDING_DIR


def _unseal_provider(provider: SealedProvider, passphrase: str) -> SealedProvider:
    """Unseal, finishing an interrupted master-key rotation if the sealed key no longer opens the
    keyring but the pending one (same passphrase) does."""
    master = provider.unseal(passphrase)
    pending = SealedProvider(_pending_dir(), **SEALED_COST)
    if not pending.path.exists() or not keyring_path().exists():
        return provider
    try:
        load_keyring(keyring_path(), master)
    except DecryptionError:
        load_keyring(keyring_path(), pending.unseal(passphrase))
        _pending_promote(SEALED_FILE)
        provider = SealedProvider(key_dir(), **SEALED_COST)
        provider.unseal(passphrase)
    return provider


def _pending_promote(name: str) -> None:
    try:
        os.replace(_pending_dir() / name, key_dir() / name)
    except FileNotFoundError:
        # Another process found the keyring under the new key first and finished this step.
        if not (key_dir() / name).exists():
            raise
    fsync_dir(key_dir())
    with suppress(FileNotFoundError):
        _pending_dir().rmdir()


def _pending_discard() -> None:
    pending = _pending_dir()
    if pending.exists():
        for entry in pending.iterdir():
            entry.unlink()
        pending.rmdir()


def master_key_rotate(*, passphrase: str | None = None) -> MasterKey:
    """A new master key; the keyring (every root version) is re-wrapped under it.

    Crash-safe order: 1. write the new key in `next/` (sealed under the same passphrase for the
    sealed provider); 2. replace the keyring with its copy under the new key; 3. move the new key
    over the old one. After a crash between 2 and 3 the old key no longer opens the keyring: the
    next load (or unseal) tries the pending key and finishes step 3. A crash before 2 leaves a
    useless pending key, dropped by the next rotation. The printed recovery kit must be replaced.
    """
    with key_operation_lock(), _lock:
        keyring = current_keyring()  # finishes an interrupted rotation first
        _pending_discard()
        new_master = MasterKey.generate()
        if is_sealed_provider():
            if passphrase is None:
                raise KeyStoreError("La phrase de passe est nécessaire pour sceller la nouvelle clé.")
            # The same passphrase: check it, so the operator is never locked out by a typo.
            SealedProvider(key_dir(), **SEALED_COST).unseal(passphrase)
            SealedProvider(_pending_dir(), **SEALED_COST).create(passphrase, new_master)
            name = SEALED_FILE
        else:
            FileProvider(_pending_dir()).create(new_master)
            name = MASTER_KEY_FILE
        try:
            # Whatever derives from the master key follows first (e.g. backup repositories get
            # the new password beside the old): a dependent that cannot leaves everything as it was.
            for dependent in master_key_dependents():
                dependent(current_master_key(), new_master)
        except BaseException:
            _pending_discard()
            raise
        save_keyring(keyring_path(), keyring, new_master)
        _pending_promote(name)
        if is_sealed_provider():
            provider = SealedProvider(key_dir(), **SEALED_COST)
            provider.unseal(passphrase or "")
            _sealed[str(key_dir())] = provider
        _cache.clear()
        return new_master


def _finish_master_rotation(path: Path) -> Keyring:
    pending = FileProvider(_pending_dir())
    if is_sealed_provider() or not pending.path.exists():
        raise DecryptionError(
            "La clé maîtresse n'ouvre pas le trousseau : mauvaise clé, ou trousseau d'une autre "
            "installation. Utilisez le kit de secours (« egide keys recover »)."
        )
    keyring = load_keyring(path, pending.load())
    _pending_promote(MASTER_KEY_FILE)
    return keyring
