"""Change of roles, departure and return (issue 5 item 10), each audited, inside one's practice."""

from __future__ import annotations

import re

import time_machine
from django.test import Client

from egide.accounts.models import Role, RoleAssignment, TokenScope, User
from egide.accounts.tests.logins import EgideClient
from egide.accounts.tokens import token_create
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.staff.tests.helpers import actions_about, lands_on_login, logged_in


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


MISSING_ID = "00000000-0000-4000-8000-000000000000"
UNKNOWN_PATIENT = "/api/v1/patients/00000000-0000-4000-8000-000000000000"


def _role_events() -> list[tuple[str, str]]:
    return list(Event.objects.filter(subject_type="account-role").values_list("action", "subject_id"))


def test_it_changes_roles_and_records_each_grant_and_revocation(admin_user: User, secretary: User) -> None:
    admin = logged_in(admin_user)
    response = admin.post(f"/equipe/{secretary.pk}/roles/", {"roles": [Role.DPO.value]})
    assert response["Location"] == f"/equipe/{secretary.pk}/"
    assert secretary.role_set() == {Role.DPO}
    assert (Action.ROLE_REVOKED.value, f"{secretary.pk}/secretariat") in _role_events()
    assert (Action.ROLE_GRANTED.value, f"{secretary.pk}/dpo") in _role_events()


def test_it_asks_a_recent_authentication_to_change_roles(admin_user: User, secretary: User) -> None:
    with time_machine.travel("2026-11-23 09:00:00 +0000", tick=False) as clock:
        admin = logged_in(admin_user)
        clock.shift(11 * 60)
        admin.get("/")
        response = admin.post(f"/equipe/{secretary.pk}/roles/", {"roles": [Role.ADMIN.value]})
        assert str(response["Location"]).startswith("/reauthentification/")
    assert secretary.role_set() == {Role.SECRETARIAT}


def test_it_refuses_to_demote_the_last_administrator(admin_user: User) -> None:
    admin = logged_in(admin_user)
    response = admin.post(f"/equipe/{admin_user.pk}/roles/", {"roles": [Role.PRATICIEN.value]})
    assert response.status_code == 409
    assert (
        "last active administrator" in response.content.decode() or "administrat" in response.content.decode()
    )
    assert admin_user.role_set() == {Role.ADMIN}


def test_it_lets_an_administrator_step_down_when_another_remains(admin_user: User, dpo: User) -> None:
    RoleAssignment.objects.create(user=dpo, role=Role.ADMIN)
    admin = logged_in(admin_user)
    admin.post(f"/equipe/{admin_user.pk}/roles/", {"roles": [Role.PRATICIEN.value]})
    assert admin_user.role_set() == {Role.PRATICIEN}
    # Now dpo is the last one.
    assert logged_in(dpo).post(f"/equipe/{dpo.pk}/roles/", {"roles": [Role.DPO.value]}).status_code == 409


def test_it_refuses_to_disable_the_last_active_administrator(admin_user: User, dpo: User) -> None:
    RoleAssignment.objects.create(user=dpo, role=Role.ADMIN)
    second = logged_in(dpo)
    assert second.post(f"/equipe/{admin_user.pk}/depart/").status_code == 302
    assert not User.objects.get(pk=admin_user.pk).is_active
    # dpo is now alone: nobody else can disable them, and they cannot disable themselves.
    assert second.post(f"/equipe/{dpo.pk}/depart/").status_code == 409
    assert User.objects.get(pk=dpo.pk).is_active


def test_a_departed_person_cannot_log_in_and_their_token_stops_working(
    admin_user: User, practitioner: User
) -> None:
    _token, value = token_create(user=practitioner, name="Agent", scope=TokenScope.READ)
    bearer = {"Authorization": f"Bearer {value}"}
    assert Client().get(UNKNOWN_PATIENT, headers=bearer).status_code == 404  # known token, no patient
    open_session = logged_in(practitioner)

    admin = logged_in(admin_user)
    assert admin.get(f"/equipe/{practitioner.pk}/depart/").status_code == 200
    assert admin.post(f"/equipe/{practitioner.pk}/depart/")["Location"] == f"/equipe/{practitioner.pk}/"

    assert lands_on_login(open_session)
    assert Client().get(UNKNOWN_PATIENT, headers=bearer).status_code == 401
    refused = EgideClient().post(
        "/connexion/", {"username": practitioner.username, "password": PERSONA_PASSWORD}
    )
    assert refused.status_code == 200  # the login page again, with its error
    team = admin.get("/equipe/").content.decode()
    assert 'data-testid="status-departed"' in team
    actions = actions_about(practitioner.pk)
    assert Action.ACCOUNT_DEACTIVATED.value in actions

    # Reversible: the person logs in again; the revoked token stays revoked.
    admin.post(f"/equipe/{practitioner.pk}/retour/")
    assert Action.ACCOUNT_REACTIVATED.value in actions_about(practitioner.pk)
    back = EgideClient().post(
        "/connexion/", {"username": practitioner.username, "password": PERSONA_PASSWORD}
    )
    assert back.status_code == 302  # past the password, on to the second factor
    assert Client().get(UNKNOWN_PATIENT, headers=bearer).status_code == 401


def test_it_refuses_every_lifecycle_action_on_another_practice(admin_user: User, outsider: User) -> None:
    admin = logged_in(admin_user)
    missing = f"/equipe/{MISSING_ID}"
    for suffix, method in (
        ("/", "get"),
        ("/roles/", "post"),
        ("/depart/", "post"),
        ("/retour/", "post"),
        ("/deverrouiller/", "post"),
        ("/sessions/terminer/", "post"),
    ):
        foreign = getattr(admin, method)(f"/equipe/{outsider.pk}{suffix}", {"roles": [Role.ADMIN.value]})
        absent = getattr(admin, method)(f"{missing}{suffix}", {"roles": [Role.ADMIN.value]})
        assert foreign.status_code == absent.status_code == 404, suffix
        # The same page, but for the address itself (the language switch returns to it).
        foreign_page = foreign.content.replace(str(outsider.pk).encode(), MISSING_ID.encode())
        assert _without_csrf(foreign_page) == _without_csrf(absent.content)
    assert User.objects.get(pk=outsider.pk).is_active
    assert outsider.role_set() == {Role.PRATICIEN}
