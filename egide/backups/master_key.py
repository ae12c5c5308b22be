"""Backup repositories follow a new master key (issue 6 item 1).

Each destination's restic password is derived from the master key, so that the recovery kit alone
reopens every destination. `egide keys rotate-master` therefore gives each repository the new
password beside the old one before the new key replaces the old (egide.crypto.rotation calls
`repositories_follow` then). A destination that cannot be reached, even a disabled one, stops the
rotation and the master key stays as it was: otherwise its backups would open only with a kit the
operator is about to put away.

The repository key the old password opens is recorded (``RetiringKey``): once the new kit is
printed, `egide backup key-retire` removes it (``key_retirement``), so the old kit stops opening
the backups made from now on.
"""

from __future__ import annotations

import functools

from django.db import transaction

from egide.audit.actions import Action
from egide.audit.recording import audit_record
from egide.backups.errors import BackupFault
from egide.backups.models import Destination, RetiringKey
from egide.backups.passwords import repository_password
from egide.backups.services import repository_for, unlocking_stale
from egide.crypto.errors import KeyStoreError
from egide.crypto.hierarchy import MasterKey
from egide.crypto.selectors import master_key_fingerprint


def repositories_follow(old: MasterKey, new: MasterKey) -> None:
    """Add the password derived from ``new`` to every destination's repository, disabled ones too.

    A destination left behind would open only with the old kit, which the operator is about to
    put away: so any destination that cannot be reached stops the rotation, and the operator
    plugs it in, or removes it from Égide if it is no longer used (`egide backup destination
    remove`: its repository then opens only with the old kit, which the message says).

    Each step is committed at once, before the new master key is put in place (the rotation's
    own audit event comes after it): a crash after the switch never loses the record of which old
    key `key-retire` has to remove.
    """
    fingerprint = master_key_fingerprint(old)
    for destination in Destination.objects.order_by("name"):
        repository = repository_for(destination, old)
        try:
            old_key = unlocking_stale(repository, repository.key_current)
            unlocking_stale(
                repository,
                functools.partial(repository.key_add_password, repository_password(new, destination.name)),
            )
        except BackupFault as fault:
            state = "" if destination.enabled else "suspendue "
            raise KeyStoreError(
                f"La destination de sauvegarde {state}« {destination.name} » n'a pas pu recevoir le mot "
                f"de passe de la nouvelle clé maîtresse ({fault.message}) Branchez-la, ou retirez-la "
                f"d'Égide si elle ne sert plus (« egide backup destination remove {destination.name} » : "
                "son dépôt ne s'ouvrira alors plus qu'avec l'ancien kit), puis recommencez. La clé "
                "maîtresse n'a pas changé."
            ) from None
        with transaction.atomic():
            # A row left by an earlier, aborted rotation (or found to be the current key) is
            # pending again: this key now has to go.
            RetiringKey.objects.update_or_create(
                destination=destination,
                key_id=old_key,
                defaults={"master_fingerprint": fingerprint, "retired_at": None},
            )
            audit_record(
                action=Action.BACKUP_DESTINATION_CHANGED,
                subject_type="backup-destination",
                subject_id=destination.name,
                justification="master-key-added",
            )
