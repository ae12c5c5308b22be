"""Last step of a restore, run by `egide restore` inside the restored instance (its own
EGIDE_DATA_DIR): patients whose data key is in the merged shredding journal but whose row
still holds it (erased after the snapshot) are shredded again, and the restore is recorded in
the restored journal. Prints the number of keys destroyed again on its last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import EgideError
from egide.crypto import runtime
from egide.crypto.errors import CryptoError
from egide.crypto.services import data_keys_shredded_purge
from egide.patients.models import Patient
from egide.patients.services import patient_key_destroy


class Command(BaseCommand):
    help = "Usage interne d'« egide restore » : ré-applique les effacements et trace la restauration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--snapshot", required=True)
        parser.add_argument("--source", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            runtime.require_unsealed()
            runtime.current_keyring()  # the master key must open the restored keyring
            destroyed = shredding_reapply()
        except (CryptoError, EgideError) as error:
            raise CommandError(error.describe() if isinstance(error, EgideError) else str(error)) from None
        with transaction.atomic():
            audit_record(
                action=Action.RESTORE_RUN,
                actor_label="egide restore",
                subject_type="backup-snapshot",
                subject_id=options["snapshot"],
                justification=f"destination {options['source']}; {destroyed} effacement(s) ré-appliqué(s)",
            )
        self.stdout.write(str(destroyed))


def shredding_reapply() -> int:
    """Destroy again every data key the journal lists but the restored database still holds."""
    shredded = runtime.shredding_journal().key_ids()
    if not shredded:
        return 0
    patients = Patient.objects.filter(data_key_id__in=shredded, erased_at__isnull=True)
    count = 0
    for patient_id in patients.values_list("id", flat=True):
        patient_key_destroy(actor=None, patient_id=patient_id)
        count += 1
    # Keys of patients already marked erased in the snapshot (a crash between the journal and
    # the delete): their wrapped copy goes too.
    data_keys_shredded_purge()
    return count
