"""The old recovery kit stops opening the backups (after `egide keys rotate-master`).

The rotation leaves each repository with two keys: the new master key's password and the old
one's (``master_key.repositories_follow`` records the old key as a ``RetiringKey``). Whoever holds
the old kit, a share of it found in a drawer, could still open every backup, including those
made after the rotation. `egide backup key-retire` removes those old keys, and only once a kit of
the current master key has been printed: before that, the old kit is the only paper that opens
the backups if the server is lost.

An append-only server refuses every removal, as it refuses ``forget``: the operator removes the
key from the trusted machine that prunes (README), and the next `key-retire` sees it gone.
"""

from __future__ import annotations

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
from egide.backups.services import backup_lock, repository_for
from egide.core.errors import Conflict
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


def current_kit_printed() -> bool:
    """Whether a recovery kit of the current master key has been produced."""
    fingerprint = master_key_fingerprint(current_master_key())
    return Event.objects.filter(action=Action.RECOVERY_KIT_GENERATED, subject_id=fingerprint).exists()


def keys_retire(*, actor: Actor | None = None) -> list[KeyRetireResult]:
    """Remove, from each repository, the keys of master keys since replaced (see the module)."""
    pending = retiring_keys_pending()
    if not pending:
        return []
    if not current_kit_printed():
        raise Conflict(
            _(
                "Print the recovery kit of the current master key first (egide keys recovery-kit) "
                "and put its shares away: until then, the old kit is the only paper that opens the "
                "backups if this server is lost. Nothing was removed."
            )
        )
    master = current_master_key()
    with backup_lock():
        return [
            _retire(retiring, repository_for(retiring.destination, master), actor) for retiring in pending
        ]


def _retire(retiring: RetiringKey, repository: Repository, actor: Actor | None) -> KeyRetireResult:
    name, key_id = retiring.destination.name, retiring.key_id
    try:
        keys = repository.key_list()
        present = [key for key in keys if key.id.startswith(key_id) or key_id.startswith(key.id)]
        if any(key.current for key in present):
            # The current master key's password opens this very key: removing it would leave the
            # repository with no password anyone holds. restic refuses too; say it first.
            return _result(retiring, False, _("This key is the one the current master key opens: kept."))
        if present:
            repository.key_remove(key_id)
    except BackupFault as fault:
        if fault.kind == "refused":
            message = _(
                "The server is append-only and refuses removals: from the trusted machine that "
                "prunes it, run « restic key remove %(key)s » on this repository, then run "
                "egide backup key-retire again."
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
        return _result(retiring, False, message)
    with transaction.atomic():
        retiring.retired_at = timezone.now()
        retiring.save(update_fields=["retired_at"])
        audit_record(
            action=Action.BACKUP_KEY_RETIRED,
            actor=actor,
            subject_type="backup-destination",
            subject_id=name,
            justification=key_id,
        )
    logger.info("old key %s removed from destination %s", key_id, name)
    return _result(retiring, True, _("Removed: the old recovery kit no longer opens this destination."))


def _result(retiring: RetiringKey, retired: bool, message: str) -> KeyRetireResult:
    return KeyRetireResult(retiring.destination.name, retiring.key_id, retired, message)
