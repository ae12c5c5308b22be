"""« Qui a consulté ce dossier » : every access from the journal, for the care team and the DPO."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from egide.access.models import BreakGlassGrant
from egide.access.selectors import TRAIL_PAGE_SIZE, trail_page
from egide.access.tests.conftest import NOTE, REASON
from egide.accounts.models import User
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.patients.selectors import patient_get_for_user


def _trail(patient_id: uuid.UUID) -> str:
    return f"/acces/patients/{patient_id}/consultations/"


def test_the_care_team_sees_who_accessed_the_record_on_the_patient_page(
    client: Client, practitioner: User, practitioner2: User, patient_id: uuid.UUID, grant: BreakGlassGrant
) -> None:
    patient_get_for_user(user=practitioner2, patient_id=patient_id)
    client.force_login(practitioner)
    page = client.get(f"/patients/{patient_id}/").content.decode()
    assert 'id="consultations"' in page
    assert practitioner2.label in page
    assert REASON in page
    assert page.count('data-testid="trail-reason"') == 3  # opened, record viewed, notes viewed


def test_the_dpo_reaches_the_trail_by_patient_id_without_clinical_content(
    client: Client, dpo: User, practitioner2: User, patient_id: uuid.UUID, grant: BreakGlassGrant
) -> None:
    client.force_login(dpo)
    assert client.get(f"/patients/{patient_id}/").status_code == 404
    page = client.get(_trail(patient_id)).content.decode()
    assert practitioner2.label in page and REASON in page
    assert "VASQUEZ-ORLOV" in page  # name and birth date, to answer the patient's request
    assert NOTE not in page
    viewed = Event.objects.filter(action="access:trail:viewed", actor_id=str(dpo.pk))
    assert viewed.get().patient_id == str(patient_id)


@pytest.mark.parametrize("persona", ["practitioner2", "secretary", "admin_user", "outsider"])
def test_nobody_else_sees_the_trail(
    persona: str,
    client: Client,
    patient_id: uuid.UUID,
    grant: BreakGlassGrant,
    request: pytest.FixtureRequest,
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_trail(patient_id)).status_code == 404
    assert client.get(f"/acces/patients/{patient_id}/consultations.pdf").status_code == 404
    assert client.get(_trail(uuid.uuid4())).status_code == 404


def test_the_trail_is_paginated_newest_first(practitioner: User, dpo: User, patient_id: uuid.UUID) -> None:
    for _ in range(TRAIL_PAGE_SIZE):
        patient_get_for_user(user=practitioner, patient_id=patient_id)
    total = Event.objects.filter(patient_id=str(patient_id)).count()
    pages = -(-total // TRAIL_PAGE_SIZE)
    last = trail_page(user=dpo, patient_id=patient_id, page=pages)
    first = trail_page(user=dpo, patient_id=patient_id, page=1)
    assert last.total == total and first.total == total + 1  # reading the trail is itself traced
    assert len(last.entries) == total - (pages - 1) * TRAIL_PAGE_SIZE
    assert last.entries[-1].action == str(Action.PATIENT_CREATED.label)
    assert len(first.entries) == TRAIL_PAGE_SIZE
    assert first.entries[0].who == dpo.label  # the first reading, newest of all
    times = [entry.time for entry in first.entries]
    assert times == sorted(times, reverse=True)


def test_the_dpo_looks_a_trail_up_by_patient_reference(
    client: Client, dpo: User, patient_id: uuid.UUID
) -> None:
    client.force_login(dpo)
    found = client.get("/acces/consultations/", {"patient": str(patient_id)})
    assert found.status_code == 302 and found["Location"] == _trail(patient_id)
    typo = client.get("/acces/consultations/", {"patient": "VASQUEZ"})
    assert typo.status_code == 302 and typo["Location"] == "/acces/bris-de-glace/"


def test_each_access_shows_the_roles_its_author_held_then(
    admin_user: User, secretary: User, dpo: User, patient_id: uuid.UUID
) -> None:
    from egide.accounts.models import Role
    from egide.staff.services import roles_change

    patient_get_for_user(user=secretary, patient_id=patient_id)
    roles_change(actor=admin_user, user_id=secretary.pk, roles=[Role.SECRETARIAT, Role.PRATICIEN])
    patient_get_for_user(user=secretary, patient_id=patient_id)

    hers = [
        entry
        for entry in trail_page(user=dpo, patient_id=patient_id, page=1).entries
        if entry.who == secretary.label
    ]
    before, after = hers[-1], hers[0]  # newest first
    assert before.roles == ("Secrétariat",) and not before.roles_today
    assert after.roles == ("Praticien", "Secrétariat") and not after.roles_today


def test_an_author_whose_history_left_the_journal_shows_todays_roles_marked(
    practitioner: User, dpo: User, patient_id: uuid.UUID
) -> None:
    from egide.accounts.models import Role, RoleAssignment
    from egide.audit.recording import audit_record

    # An account whose creation is no longer in the journal (pruned past its retention).
    old_hand = User.objects.create(username="ancien", practice=practitioner.practice, first_name="Ancien")
    RoleAssignment.objects.create(user=old_hand, role=Role.PRATICIEN)
    audit_record(action=Action.PATIENT_VIEWED, actor=old_hand, subject_type="patient", patient_id=patient_id)

    [entry] = [
        e for e in trail_page(user=dpo, patient_id=patient_id, page=1).entries if e.who == old_hand.label
    ]
    assert entry.roles == ("Praticien",) and entry.roles_today
