"""Writes of the crypto part: per-patient data keys, root-key rotation, master-key operations.

The vault calls `data_key_create` once per patient, `data_key_get` to read, `data_key_destroy` to
crypto-shred (DESIGN "Cryptography"). Every data-key operation refuses while the master key is
sealed (`Sealed`, HTTP 503) and consults the shredding journal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.crypto import runtime
from egide.crypto.data_keys import (
    new_data_key,
    new_data_key_id,
    rewrap_data_key,
    unwrap_data_key,
    wrap_data_key,
)
from egide.crypto.errors import CryptoError, SealedError, ShreddedKeyError, UnknownKeyError
from egide.crypto.hierarchy import Keyring, load_keyring
from egide.crypto.models import WrappedKey
from egide.crypto.rotation import root_version_dependents
from egide.crypto.selectors import master_key_fingerprint, root_versions_in_use, wrapped_key_counts

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500


def data_key_create(*, aad_context: str) -> tuple[str, bytes]:
    """A new data key for one patient, wrapped under the current root version and stored.

    `aad_context` names its place ("patients.Patient|<uuid>"); the same text reads it back.
    Returns (data_key_id, data_key); the data key itself is never stored in clear.
    """
    runtime.require_unsealed()
    keyring = runtime.current_keyring()
    data_key_id, data_key = new_data_key_id(), new_data_key()
    wrapped = wrap_data_key(keyring, data_key, aad_context.encode("utf-8"), data_key_id=data_key_id)
    with transaction.atomic():
        WrappedKey.objects.create(
            data_key_id=data_key_id,
            wrapped=wrapped,
            root_version=keyring.current_version,
            aad_context=aad_context,
        )
    logger.debug("Clé de données créée : %s (racine n°%d)", data_key_id, keyring.current_version)
    return data_key_id, data_key


def data_key_get(*, data_key_id: str) -> bytes:
    """The data key `data_key_id`; `ShreddedKeyError` if the journal records it as destroyed,
    even when an older database copy still holds its wrapped form."""
    runtime.require_unsealed()
    journal = runtime.shredding_journal()
    if journal.contains(data_key_id):
        raise ShreddedKeyError(
            f"La clé de données « {data_key_id} » a été détruite : ces données ont été effacées "
            "définitivement."
        )
    row = WrappedKey.objects.filter(data_key_id=data_key_id).first()
    if row is None:
        raise UnknownKeyError(f"Clé de données « {data_key_id} » introuvable.")
    return unwrap_data_key(
        runtime.current_keyring(),
        row.wrapped,
        row.aad_context.encode("utf-8"),
        data_key_id=data_key_id,
        journal=journal,
    )


def data_keys_get(*, data_key_ids: Iterable[str]) -> dict[str, bytes]:
    """Several data keys in one query (a search page opens dozens). Shredded or missing keys are
    simply absent from the result: the caller shows those records as erased or unreadable."""
    runtime.require_unsealed()
    journal = runtime.shredding_journal()
    keyring = runtime.current_keyring()
    wanted = {key_id for key_id in data_key_ids if not journal.contains(key_id)}
    keys: dict[str, bytes] = {}
    for row in WrappedKey.objects.filter(data_key_id__in=wanted):
        try:
            keys[row.data_key_id] = unwrap_data_key(
                keyring, row.wrapped, row.aad_context.encode("utf-8"), data_key_id=row.data_key_id
            )
        except CryptoError:
            logger.warning("Clé de données illisible : %s", row.data_key_id)
    return keys


def data_key_destroy(*, data_key_id: str) -> None:
    """Crypto-shred one data key: 1. append its id to the journal (synced), 2. delete the row.

    In that order, so a crash in between leaves the key erased (the journal wins) and a rotation
    finishes the deletion. Needs no unsealed key: erasing never waits for a passphrase.
    """
    runtime.shredding_journal().append(data_key_id)
    with transaction.atomic():
        WrappedKey.objects.filter(data_key_id=data_key_id).delete()
        audit_record(action=Action.DATA_KEY_DESTROYED, subject_type="crypto.data-key", subject_id=data_key_id)
    logger.info("Clé de données détruite : %s", data_key_id)


def data_keys_shredded_purge() -> int:
    """Delete the wrapped copies of keys the journal already lists as destroyed (a restored older
    database, or a crash between the journal and the delete); each deletion is journalled."""
    shredded = runtime.shredding_journal().key_ids()
    if not shredded:
        return 0
    with transaction.atomic():
        leftovers = list(
            WrappedKey.objects.filter(data_key_id__in=shredded).values_list("data_key_id", flat=True)
        )
        WrappedKey.objects.filter(data_key_id__in=leftovers).delete()
        for data_key_id in leftovers:
            audit_record(
                action=Action.DATA_KEY_DESTROYED, subject_type="crypto.data-key", subject_id=data_key_id
            )
    return len(leftovers)


@dataclass(frozen=True)
class RotationResult:
    new_version: int
    resumed: bool
    rewrapped: int
    retired_versions: tuple[int, ...]
    # Versions still holding keys after the run (a writer with a stale keyring): run it again.
    remaining: int


def _fresh_keyring() -> Keyring:
    # Not the cached object: a rotation changes the keyring and must not mutate a shared one.
    runtime.current_keyring()  # finishes an interrupted master-key rotation, if any
    return load_keyring(runtime.keyring_path(), runtime.current_master_key())


def _rotation_pending(keyring: Keyring) -> bool:
    older_live = [version for version in keyring.live_versions if version != keyring.current_version]
    return bool(older_live) or any(version < keyring.current_version for version in root_versions_in_use())


def _rewrap_batch(keyring: Keyring, batch_size: int) -> int:
    """Re-wrap up to `batch_size` keys still under an older version, in one transaction."""
    journal = runtime.shredding_journal()
    current = keyring.current_version
    with transaction.atomic():
        rows = list(
            WrappedKey.objects.select_for_update()
            .filter(root_version__lt=current)
            .order_by("pk")[:batch_size]
        )
        shredded: list[str] = []
        for row in rows:
            try:
                row.wrapped = rewrap_data_key(
                    keyring, row.wrapped, row.aad_context.encode("utf-8"), data_key_id=row.pk, journal=journal
                )
            except ShreddedKeyError:
                shredded.append(row.pk)  # an interrupted destroy: finish it
                continue
            row.root_version = current
        WrappedKey.objects.bulk_update(
            [row for row in rows if row.pk not in shredded], ["wrapped", "root_version"]
        )
        WrappedKey.objects.filter(pk__in=shredded).delete()
    return len(rows)


def root_key_rotate(
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
    progress_other: Callable[[str, int], None] | None = None,
) -> RotationResult:
    """Add a root version and re-wrap every data key under it, online and resumable.

    1. If an earlier rotation was interrupted (an older version still live, or keys still under
       one), resume it; otherwise add a version and save the keyring before wrapping anything.
    2. Re-wrap the keys still under an older version, `batch_size` per transaction: the state is
       the rows themselves, so a crash at any point loses nothing and the next run continues.
    3. Move what other parts derived from older versions (registered dependents, e.g. blind
       indexes; `egide.crypto.rotation`), in batches too.
    4. Retire each older version nothing depends on any more (its key stays, so older backups
       stay readable). The master key and the printed recovery kit do not change.
    """
    if batch_size < 1:
        raise ValueError("La taille des lots doit être au moins 1.")
    runtime.require_unsealed()
    with runtime.key_operation_lock():
        keyring = _fresh_keyring()
        resumed = _rotation_pending(keyring)
        if not resumed:
            keyring.add_version()
            runtime.keyring_save(keyring)
        total = WrappedKey.objects.filter(root_version__lt=keyring.current_version).count()
        done = 0
        while rewrapped := _rewrap_batch(keyring, batch_size):
            done += rewrapped
            if progress is not None:
                progress(done, max(total, done))
        for dependent in root_version_dependents():
            moved = 0
            while migrated := dependent.migrate_batch(keyring, batch_size):
                moved += migrated
                if progress_other is not None:
                    progress_other(dependent.label, moved)
        in_use = root_versions_in_use()
        retired = tuple(
            version
            for version in keyring.live_versions
            if version != keyring.current_version and version not in in_use
        )
        for version in retired:
            keyring.retire(version)
        with transaction.atomic():
            # The trace commits only if the keyring was saved; a failed save leaves no event.
            audit_record(
                action=Action.ROOT_KEY_ROTATED,
                subject_type="crypto.root-key",
                subject_id=keyring.current_version,
            )
            if retired:
                runtime.keyring_save(keyring)
        remaining = sum(
            count for version, count in wrapped_key_counts().items() if version < keyring.current_version
        )
    logger.info(
        "Rotation des clés racines : version n°%d, %d clés re-chiffrées, versions retirées %s",
        keyring.current_version,
        done,
        list(retired),
    )
    return RotationResult(keyring.current_version, resumed, done, retired, remaining)


def master_key_rotate(*, passphrase: str | None = None) -> str:
    """A new master key re-wrapping the keyring; returns the new fingerprint. Print a new kit."""
    runtime.require_unsealed()
    # Not inside one transaction: the switch happens in files, which a rollback would not undo,
    # and what the dependents did on the way (backup repositories given the new key's password)
    # is recorded as it happens, so that a crash after the switch loses none of it.
    master = runtime.master_key_rotate(passphrase=passphrase)
    with transaction.atomic():
        audit_record(
            action=Action.MASTER_KEY_ROTATED,
            subject_type="crypto.master-key",
            subject_id=master_key_fingerprint(master),
        )
    logger.info("Clé maîtresse remplacée : empreinte %s", master_key_fingerprint(master))
    return master_key_fingerprint(master)


def keyring_unseal(*, passphrase: str) -> int:
    """Unseal this process's master key (recorded, failures too); the current root version."""
    try:
        keyring = runtime.unseal(passphrase)
    except SealedError:
        with transaction.atomic():
            audit_record(
                action=Action.KEYRING_UNSEALED, outcome=Outcome.FAILURE, subject_type="crypto.master-key"
            )
        raise
    with transaction.atomic():
        audit_record(action=Action.KEYRING_UNSEALED, subject_type="crypto.master-key")
    return keyring.current_version


def keyring_unseal_interactively(ask: Callable[[str], str]) -> bool:
    """Ask for the passphrase (e.g. `getpass.getpass`), three tries; True once unsealed (or when
    there is nothing to unseal). For `egide serve`, before gunicorn forks its workers."""
    if not runtime.is_sealed_provider() or not runtime.is_sealed():
        return True
    for _attempt in range(3):
        try:
            keyring_unseal(passphrase=ask("Phrase de passe de la clé maîtresse : "))
        except SealedError:
            continue
        return True
    return False
