"""The DPO is told of every break-the-glass access (dashboard badge, list) and reviews each one."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from egide.access.models import BreakGlassGrant, Verdict
from egide.access.services import break_glass_review
from egide.access.tests.conftest import NOTE, REASON
from egide.accounts.models import Practice, Role, User
from egide.accounts.services import user_create
from egide.audit.models import Event
from egide.core.errors import NotFound
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.patients.services import patient_key_destroy

LIST = "/acces/bris-de-glace/"


def _detail(grant: BreakGlassGrant) -> str:
    return f"/acces/bris-de-glace/{grant.id}/"


def test_the_dpo_dashboard_counts_accesses_to_review(
    client: Client, dpo: User, grant: BreakGlassGrant
) -> None:
    client.force_login(dpo)
    page = client.get("/").content.decode()
    assert 'data-testid="break-glass-badge"' in page
    assert 'class="badge"' in page
    break_glass_review(actor=dpo, grant_id=grant.id, verdict=Verdict.JUSTIFIED, comment="")
    assert 'class="badge"' not in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["practitioner", "secretary", "admin_user"])
def test_other_roles_get_no_badge(
    persona: str, client: Client, grant: BreakGlassGrant, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert 'data-testid="break-glass-badge"' not in client.get("/").content.decode()


def test_the_dpo_reads_the_reason_and_marks_the_access(
    client: Client, dpo: User, practitioner2: User, grant: BreakGlassGrant
) -> None:
    client.force_login(dpo)
    listed = client.get(LIST).content.decode()
    assert practitioner2.label in listed and str(grant.patient_id) in listed
    assert REASON not in listed  # reasons are read one at a time, each reading traced
    detail = client.get(_detail(grant)).content.decode()
    assert REASON in detail
    assert NOTE not in detail
    assert Event.objects.filter(action="access:break-glass:consulted", subject_id=str(grant.id)).count() == 1
    response = client.post(_detail(grant), {"verdict": "unjustified", "comment": "Pas d'urgence ce jour-là."})
    assert response.status_code == 302 and response["Location"] == LIST
    grant.refresh_from_db()
    assert grant.verdict == Verdict.UNJUSTIFIED and grant.reviewed_by == dpo
    assert grant.review_comment.startswith("v1$")
    reviewed = Event.objects.get(action="access:break-glass:reviewed")
    assert reviewed.subject_id == str(grant.id) and reviewed.justification.endswith("unjustified")
    assert "urgence" not in reviewed.justification
    assert "Pas d&#x27;urgence ce jour-là." in client.get(_detail(grant)).content.decode()


def test_a_review_needs_a_verdict(client: Client, dpo: User, grant: BreakGlassGrant) -> None:
    client.force_login(dpo)
    assert client.post(_detail(grant), {"comment": "?"}).status_code == 400
    grant.refresh_from_db()
    assert grant.verdict == Verdict.PENDING


@pytest.mark.parametrize("persona", ["practitioner", "practitioner2", "secretary", "admin_user", "outsider"])
def test_only_the_dpo_reviews(
    persona: str, client: Client, grant: BreakGlassGrant, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(LIST).status_code == 404
    assert client.get(_detail(grant)).status_code == 404
    assert client.post(_detail(grant), {"verdict": "justified"}).status_code == 404
    with pytest.raises(NotFound):
        break_glass_review(actor=user, grant_id=grant.id, verdict=Verdict.JUSTIFIED, comment="")
    grant.refresh_from_db()
    assert grant.verdict == Verdict.PENDING


def test_another_practice_dpo_sees_nothing(
    client: Client, other_practice: Practice, grant: BreakGlassGrant
) -> None:
    other_dpo = user_create(
        practice=other_practice,
        username="dpo.port",
        password=PERSONA_PASSWORD,
        roles=(Role.DPO,),
        must_change_password=False,
    )
    client.force_login(other_dpo)
    assert str(grant.id) not in client.get(LIST).content.decode()
    assert client.get(_detail(grant)).status_code == 404
    assert client.get(_detail(BreakGlassGrant(id=uuid.uuid4()))).status_code == 404


def test_a_grant_on_an_erased_patient_is_reviewed_without_a_comment(
    client: Client, dpo: User, grant: BreakGlassGrant
) -> None:
    patient_key_destroy(actor=dpo, patient_id=grant.patient_id)
    client.force_login(dpo)
    detail = client.get(_detail(grant)).content.decode()
    assert REASON not in detail  # shredded with the patient
    refused = client.post(_detail(grant), {"verdict": "justified", "comment": "Vu."})
    assert refused.status_code == 400
    assert client.post(_detail(grant), {"verdict": "justified", "comment": ""}).status_code == 302
    grant.refresh_from_db()
    assert grant.verdict == Verdict.JUSTIFIED and grant.review_comment == ""


def test_a_dpo_who_broke_the_glass_cannot_review_their_own_access(
    practitioner2: User, grant: BreakGlassGrant
) -> None:
    from egide.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=practitioner2, role=Role.DPO)  # the practitioner is also DPO

    with pytest.raises(NotFound):
        break_glass_review(actor=practitioner2, grant_id=grant.id, verdict=Verdict.JUSTIFIED, comment="")

    grant.refresh_from_db()
    assert grant.verdict == Verdict.PENDING
    assert not Event.objects.filter(action="access:break-glass:reviewed").exists()


def test_an_altered_reason_fails_as_unreadable_and_never_shows_as_erased(
    dpo: User, grant: BreakGlassGrant
) -> None:
    from egide.access.selectors import break_glass_get
    from egide.patients.errors import RecordUnreadable

    # The sealed reason altered outside Égide: its authentication tag no longer matches.
    tail = "AAAA" if not grant.reason.endswith("AAAA") else "BBBB"
    BreakGlassGrant.objects.filter(pk=grant.pk).update(reason=grant.reason[:-4] + tail)

    with pytest.raises(RecordUnreadable):
        break_glass_get(user=dpo, grant_id=grant.pk)
