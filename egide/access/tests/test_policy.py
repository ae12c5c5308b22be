"""The one policy module: each role gets exactly its needs; missing and forbidden look the same."""

from __future__ import annotations

import uuid

import pytest

from egide.access import policy
from egide.access.policy import Need
from egide.accounts.models import User
from egide.core.errors import NotFound

# The patient is in dr.martin's care team; nobody has broken the glass.
EXPECTED = {
    "practitioner": {Need.IDENTITY, Need.CLINICAL, Need.TRAIL, Need.CARE_TEAM},
    "practitioner2": set(),
    "secretary": {Need.IDENTITY, Need.CARE_TEAM},
    "dpo": {Need.TRAIL},
    "admin_user": set(),
    "outsider": set(),
    "practitioner_dpo": {Need.TRAIL},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_it_gives_each_role_exactly_its_needs(
    persona: str, patient_id: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    allowed = set()
    for need in Need:
        try:
            policy.patient_for(user, patient_id, need=need)
        except NotFound as forbidden:
            answer = str(forbidden)
        else:
            allowed.add(need)
            continue
        with pytest.raises(NotFound) as missing:
            policy.patient_for(user, uuid.uuid4(), need=need)
        assert answer == str(missing.value)
    assert allowed == EXPECTED[persona]


def test_it_denies_everything_to_a_deactivated_account(practitioner: User, patient_id: uuid.UUID) -> None:
    practitioner.is_active = False
    for need in Need:
        with pytest.raises(NotFound):
            policy.patient_for(practitioner, patient_id, need=need)


def test_only_practitioners_of_the_practice_outside_the_care_team_may_break_the_glass(
    patient_id: uuid.UUID,
    practitioner: User,
    practitioner2: User,
    practitioner_dpo: User,
    secretary: User,
    dpo: User,
    admin_user: User,
    outsider: User,
) -> None:
    assert policy.can_break_glass(practitioner2, patient_id)
    assert policy.can_break_glass(practitioner_dpo, patient_id)
    for user in (practitioner, secretary, dpo, admin_user, outsider):
        assert not policy.can_break_glass(user, patient_id)
    assert not policy.can_break_glass(practitioner2, uuid.uuid4())
