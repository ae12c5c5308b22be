"""Backup repositories follow a new master key (issue 6 item 1).

Each destination's restic password is derived from the master key, so that the recovery kit alone
reopens every destination. `egide keys rotate-master` therefore gives each repository the new
password beside the old one before the new key replaces the old (egide.crypto.rotation calls
`repositories_follow` then). A destination that cannot be reached stops the rotation with nothing
changed: otherwise its backups would only open with a key nobody holds any more. Disabled
destinations are left as they are (their old kit still opens them) and the operator is told.

The repository key the old password opens is recorded (``RetiringKey``): once the new kit is
printed, `egide backup key-retire` removes it (``key_retirement``), so the old kit stops opening
the backups made from now on.
"""

from __future__ import annotations

import logging

from egide.audit.actions import Action
from egide.audit.recording import audit_record
from egide.backups.errors import BackupFault
from egide.backups.models import Destination, RetiringKey
from egide.backups.passwords import repository_password
from egide.backups.services import repository_for
from egide.crypto.errors import KeyStoreError
from egide.crypto.hierarchy import MasterKey
from egide.crypto.selectors import master_key_fingerprint

logger = logging.getLogger(__name__)


def repositories_follow(old: MasterKey, new: MasterKey) -> None:
    """Add the password derived from ``new`` to every enabled destination's repository."""
    for destination in Destination.objects.filter(enabled=True).order_by("name"):
        repository = repository_for(destination, old)
        try:
            old_keys = [key.id for key in repository.key_list() if key.current]
            repository.key_add_password(repository_password(new, destination.name))
        except BackupFault as fault:
            raise KeyStoreError(
                f"La destination de sauvegarde « {destination.name} » n'a pas pu recevoir le mot de "
                f"passe de la nouvelle clé maîtresse ({fault.message}) Branchez-la ou suspendez-la, "
                "puis recommencez : rien n'a été changé."
            ) from None
        for key_id in old_keys:
            RetiringKey.objects.get_or_create(
                destination=destination,
                key_id=key_id,
                defaults={"master_fingerprint": master_key_fingerprint(old)},
            )
        audit_record(
            action=Action.BACKUP_DESTINATION_CHANGED,
            subject_type="backup-destination",
            subject_id=destination.name,
            justification="master-key-added",
        )
    for name in Destination.objects.filter(enabled=False).values_list("name", flat=True):
        logger.warning(
            "Destination de sauvegarde suspendue « %s » : elle ne s'ouvrira qu'avec l'ancien kit de "
            "secours. Réactivez-la avant de changer de clé maîtresse pour qu'elle suive.",
            name,
        )
