"""Signed tree heads: issued every N events or T seconds, stored, exported outside the database.

Each head is a C2SP checkpoint signed with the audit key of the keyring's current root
version; the version is kept with the head, so heads signed before a rotation stay
verifiable with the older public key (the keyring keeps every version).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egide.audit.actions import Action
from egide.audit.checkpoint import NoteVerifier, sign_checkpoint
from egide.audit.locking import sequencer_lock
from egide.audit.merkle import EMPTY_ROOT, range_nodes, root
from egide.audit.models import Head
from egide.audit.recording import audit_record
from egide.audit.store import prefetched_store, tree_size
from egide.crypto.hierarchy import Keyring, audit_public_key, audit_signing_key
from egide.crypto.runtime import current_keyring

logger = logging.getLogger(__name__)

HEAD_FILE_SUFFIX = ".checkpoint"


def key_name(version: int) -> str:
    return f"egide-audit-v{version}"


def journal_origin(keyring: Keyring) -> str:
    """The log's name in its checkpoints: stable across rotations (first root version)."""
    return f"egide.audit/{audit_public_key(keyring, min(keyring.versions))[:8].hex()}"


def head_verifiers(keyring: Keyring) -> dict[int, NoteVerifier]:
    return {
        version: NoteVerifier(
            key_name(version), Ed25519PublicKey.from_public_bytes(audit_public_key(keyring, version))
        )
        for version in keyring.versions
    }


def stored_root(size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return root(prefetched_store(range_nodes(0, size)), size)


def heads_dir() -> Path:
    return Path(settings.AUDIT_HEADS_DIR)


def head_file_name(size: int) -> str:
    return f"{size:020d}{HEAD_FILE_SUFFIX}"


def head_export(head: Head) -> Path:
    """Write the checkpoint to the heads directory (0700, files 0600), atomically."""
    directory = heads_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    target = directory / head_file_name(head.size)
    temporary = target.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(head.checkpoint)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    return target


def head_sign(*, now: datetime | None = None) -> Head | None:
    """Sign a head at the current tree size, unless the tree is empty or already has one."""
    now = now or timezone.now()
    with transaction.atomic():
        sequencer_lock()
        size = tree_size()
        if size == 0 or Head.objects.filter(size=size).exists():
            return None
        keyring = current_keyring()
        version = keyring.current_version
        root_hash = stored_root(size)
        text = sign_checkpoint(
            journal_origin(keyring),
            size,
            root_hash,
            now,
            key_name(version),
            audit_signing_key(keyring, version),
        )
        head = Head.objects.create(
            size=size, root=root_hash, time=now.replace(microsecond=0), key_version=version, checkpoint=text
        )
        audit_record(action=Action.HEAD_SIGNED, subject_type="audit-head", subject_id=size)
        transaction.on_commit(lambda: head_export(head))
    logger.info("audit journal: head signed at size %s (key version %s)", size, version)
    return head


def head_due(*, now: datetime | None = None) -> bool:
    """AUDIT_HEAD_EVERY_EVENTS new leaves, or AUDIT_HEAD_EVERY_SECONDS since a head that is behind."""
    now = now or timezone.now()
    size = tree_size()
    last = Head.objects.order_by("-size").first()
    if last is None:
        return size > 0
    if size - last.size >= settings.AUDIT_HEAD_EVERY_EVENTS:
        return True
    return size > last.size and now - last.time >= timedelta(seconds=settings.AUDIT_HEAD_EVERY_SECONDS)


def head_latest() -> Head | None:
    return Head.objects.order_by("-size").first()
