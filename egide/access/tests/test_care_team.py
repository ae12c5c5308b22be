"""Joining a care team: by the secretariat or the team itself, audited, never through break-the-glass."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from egide.access.models import BreakGlassGrant
from egide.access.tests.conftest import NOTE
from egide.accounts.models import User
from egide.audit.models import Event
from egide.core.errors import Invalid, NotFound
from egide.patients.models import CareTeamMember
from egide.patients.selectors import patient_get_for_user
from egide.patients.services import care_team_add


@pytest.mark.parametrize("persona", ["secretary", "practitioner"])
def test_the_secretariat_or_the_team_adds_a_practitioner(
    persona: str, client: Client, practitioner2: User, patient_id: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(f"/patients/{patient_id}/").content.decode()
    assert practitioner2.label in page  # offered in the list
    response = client.post(f"/patients/{patient_id}/equipe/", {"practitioner": str(practitioner2.pk)})
    assert response.status_code == 302
    record = patient_get_for_user(user=practitioner2, patient_id=patient_id)
    assert [note.text for note in record.notes] == [NOTE]
    joined = Event.objects.get(action="access:care-team:joined")
    assert joined.actor_id == str(user.pk) and joined.subject_id == str(practitioner2.pk)


def test_break_the_glass_never_extends_the_care_team(
    practitioner2: User, patient_id: uuid.UUID, grant: BreakGlassGrant
) -> None:
    with pytest.raises(NotFound):
        care_team_add(actor=practitioner2, patient_id=patient_id, practitioner_id=practitioner2.pk)


@pytest.mark.parametrize("persona", ["dpo", "admin_user", "outsider", "practitioner2"])
def test_others_cannot_change_the_care_team(
    persona: str, client: Client, practitioner2: User, patient_id: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        care_team_add(actor=user, patient_id=patient_id, practitioner_id=practitioner2.pk)
    client.force_login(user)
    response = client.post(f"/patients/{patient_id}/equipe/", {"practitioner": str(practitioner2.pk)})
    assert response.status_code == 404
    assert not Event.objects.filter(action="access:care-team:joined").exists()


def test_only_practitioners_of_the_practice_join(
    secretary: User, outsider: User, patient_id: uuid.UUID
) -> None:
    for person in (secretary, outsider):
        with pytest.raises(Invalid):
            care_team_add(actor=secretary, patient_id=patient_id, practitioner_id=person.pk)


def test_someone_both_secretariat_and_practitioner_cannot_add_themselves(
    practitioner2: User, patient_id: uuid.UUID
) -> None:
    from egide.accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=practitioner2, role=Role.SECRETARIAT)

    with pytest.raises(Invalid):
        care_team_add(actor=practitioner2, patient_id=patient_id, practitioner_id=practitioner2.pk)

    assert not Event.objects.filter(action="access:care-team:joined").exists()
    assert not CareTeamMember.objects.filter(patient_id=patient_id, practitioner=practitioner2).exists()
