"""The old recovery kit stops opening the backups (after `egide keys rotate-master`).

The rotation leaves each repository with two keys: the new master key's password and the old
one's (``master_key.repositories_follow`` records the old key as a ``RetiringKey``). Whoever holds
the old kit, a share of it found in a drawer, could still open every backup, including those
made after the rotation. `egide backup key-retire` removes those old keys, and only once a kit of
the current master key has been printed: before that, the old kit is the only paper that opens
the backups if the server is lost.

An append-only server refuses every removal, as it refuses ``forget``: the operator removes the
key from the trusted machine that prunes (README), and the next `key-retire` sees it gone.

What removal does not do: restic's data key stays the same, so anyone who kept a copy of the
repository's ``keys/`` directory from before (a copied disk, a versioned bucket, a storage
snapshot) still opens it with the old kit. Against a kit believed stolen, the remedy is a new
repository (README, "Passwords").
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.audit.actions import Action
from egide.audit.actions import Outcome as AuditOutcome
from egide.audit.models import Event
from egide.audit.recording import Actor, audit_record
from egide.backups.errors import BackupFault
from egide.backups.models import RetiringKey
from egide.backups.restic import Repository
from egide.backups.services import backup_lock, repository_for, unlocking_stale
from egide.core.errors import Conflict
from egide.crypto.hierarchy import MasterKey
from egide.crypto.runtime import current_master_key
from egide.crypto.selectors import master_key_fingerprint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KeyRetireResult:
    destination: str
    key_id: str
    retired: bool
    message: str


def retiring_keys_pending() -> list[RetiringKey]:
    return list(RetiringKey.objects.filter(retired_at=None).select_related("destination"))


def kit_printed_for(master: MasterKey) -> bool:
    """Whether a recovery kit of ``master`` has been produced."""
    return Event.objects.filter(
        action=Action.RECOVERY_KIT_GENERATED,
        outcome=AuditOutcome.SUCCESS,
        subject_id=master_key_fingerprint(master),
    ).exists()


def keys_retire(*, actor: Actor | None = None) -> list[KeyRetireResult]:
    """Remove, from each repository, the keys of master keys since replaced (see the module)."""
    with backup_lock():
        pending = retiring_keys_pending()
        if not pending:
            return []
        master = current_master_key()
        if not kit_printed_for(master):
            raise Conflict(
                _(
                    "Print the recovery kit of the current master key first (egide keys "
                    "recovery-kit) and put its shares away: until then, the old kit is the only "
                    "paper that opens the backups if this server is lost. Nothing was removed."
                )
            )
        return [
            _retire(retiring, repository_for(retiring.destination, master), actor) for retiring in pending
        ]


def _retire(retiring: RetiringKey, repository: Repository, actor: Actor | None) -> KeyRetireResult:
    key_id = retiring.key_id
    try:
        current = unlocking_stale(repository, repository.key_current)
        if _same(current, key_id):
            # The current master key's password opens this very key (a rotation that did not
            # complete, or the old kit recovered since): removing it would leave the repository
            # with no password anyone holds. Nothing to retire any more.
            return _settle(
                retiring,
                actor,
                "current-key-kept",
                _("This key is the one the current master key opens: kept."),
            )
        if not _listed(repository, key_id):
            return _settle(
                retiring,
                actor,
                "already-absent",
                _("Already removed: the old recovery kit no longer opens this destination."),
            )
        if retiring.destination.append_only:
            raise BackupFault(
                "refused", detail="append-only destination: removal left to the trusted machine"
            )
        unlocking_stale(repository, functools.partial(repository.key_remove, key_id))
        if _listed(repository, key_id):
            raise BackupFault("failed", detail=f"key {key_id} still listed after its removal")
    except Exception as error:  # one destination's failure never stops the others
        fault = error if isinstance(error, BackupFault) else BackupFault("failed", detail=repr(error)[:500])
        return _failed(retiring, actor, fault)
    return _settle(
        retiring,
        actor,
        "removed",
        _("Removed: the old recovery kit no longer opens this repository as it stands now."),
    )


def _same(listed: str, recorded: str) -> bool:
    # restic 0.14 lists short ids; later releases may list longer ones.
    return listed.startswith(recorded) or recorded.startswith(listed)


def _listed(repository: Repository, key_id: str) -> bool:
    keys = unlocking_stale(repository, repository.key_list)
    return any(_same(key.id, key_id) for key in keys)


def _settle(retiring: RetiringKey, actor: Actor | None, how: str, message: str) -> KeyRetireResult:
    name = retiring.destination.name
    with transaction.atomic():
        retiring.retired_at = timezone.now()
        retiring.save(update_fields=["retired_at"])
        audit_record(
            action=Action.BACKUP_KEY_RETIRED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=name,
            justification=f"{retiring.key_id}:{how}",
        )
    logger.info("old key %s of destination %s: %s", retiring.key_id, name, how)
    return KeyRetireResult(name, retiring.key_id, True, message)


def _failed(retiring: RetiringKey, actor: Actor | None, fault: BackupFault) -> KeyRetireResult:
    name, key_id = retiring.destination.name, retiring.key_id
    if fault.kind == "refused":
        message = _(
            "The server is append-only and refuses removals: from the trusted machine that prunes "
            "it, run « restic key remove %(key)s » on this repository, then run egide backup "
            "key-retire again."
        ) % {"key": key_id}
    else:
        message = str(fault.message)
    with transaction.atomic():
        audit_record(
            action=Action.BACKUP_KEY_RETIRED,
            outcome=AuditOutcome.FAILURE,
            actor=actor,
            subject_type="backup-destination",
            subject_id=name,
            justification=f"{key_id}:{fault.kind}",
        )
    logger.warning("old key %s of destination %s not removed: %s", key_id, name, fault.kind)
    return KeyRetireResult(name, key_id, False, message)
