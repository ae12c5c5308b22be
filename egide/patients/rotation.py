"""Blind indexes after a root-key rotation: recomputed in batches, so no patient goes missing.

`egide keys rotate` calls these through egide.crypto.rotation (registered in apps.py) and
retires an old root version only when no index still uses it.
"""

from __future__ import annotations

import logging

from django.db import transaction

from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.hierarchy import Keyring
from egide.crypto.rotation import RootVersionDependent
from egide.crypto.services import data_key_get
from egide.patients.models import Patient, PatientIndex
from egide.patients.services import indexes_replace
from egide.patients.vault import identity_open

logger = logging.getLogger(__name__)


def index_versions_in_use() -> set[int]:
    return set(PatientIndex.objects.values_list("root_version", flat=True).distinct())


def indexes_migrate_batch(keyring: Keyring, batch_size: int) -> int:
    """Recompute the indexes of up to ``batch_size`` patients still indexed under an older version."""
    stale = (
        PatientIndex.objects.filter(root_version__lt=keyring.current_version)
        .values_list("patient_id", flat=True)
        .distinct()[:batch_size]
    )
    moved = 0
    with transaction.atomic():
        for patient in Patient.objects.select_for_update().filter(id__in=list(stale)):
            try:
                identity = identity_open(patient, data_key_get(data_key_id=patient.data_key_id))
            except ShreddedKeyError:
                # Erased after this copy of the database was made (or a shredding whose commit
                # failed): its indexes must go, like any erased patient's.
                PatientIndex.objects.filter(patient=patient).delete()
                moved += 1
                continue
            except CryptoError:
                # Unreadable (altered outside Égide): left as is, so the old version is not retired
                # and `egide keys rotate` reports it; the patient page says what to do.
                logger.warning("Index du patient %s non recalculé : dossier illisible", patient.id)
                continue
            indexes_replace(patient, identity, keyring)
            moved += 1
    return moved


PATIENT_INDEXES = RootVersionDependent(
    label="index de recherche des patients",
    versions_in_use=index_versions_in_use,
    migrate_batch=indexes_migrate_batch,
)
