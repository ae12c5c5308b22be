"""A root-key rotation keeps every patient readable and searchable, then retires the old version."""

from __future__ import annotations

import uuid

from egide.accounts.models import User
from egide.crypto.runtime import current_keyring
from egide.crypto.services import root_key_rotate
from egide.patients.models import PatientIndex
from egide.patients.selectors import patient_get_for_user, patient_search


def test_patients_stay_searchable_and_readable_after_a_rotation(
    secretary: User, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    result = root_key_rotate(batch_size=1)
    assert result.retired_versions == (1,)
    assert set(PatientIndex.objects.values_list("root_version", flat=True)) == {2}
    assert tuple(current_keyring().live_versions) == (2,)
    assert [hit.id for hit in patient_search(user=secretary, query="Quintessa")] == [lefevre]
    assert [hit.id for hit in patient_search(user=secretary, query="Durand Paul 14/07/1950")] == [durand]
    assert patient_get_for_user(user=secretary, patient_id=lefevre).identity is not None
