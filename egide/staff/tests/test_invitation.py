"""Inviting someone (issue 5 item 10): a one-time link valid EGIDE_INVITATION_HOURS, or a temporary
password; first login then forces the second factor (and the password change)."""

from __future__ import annotations

import re

import time_machine
from django.test import Client

from egide.accounts.models import Role, User
from egide.accounts.tests.logins import EgideClient
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.staff.tests.helpers import logged_in

NEW_PASSWORD = "Glycine-42-Rue-Haute!"


def _invite(admin: Client, method: str, username: str = "inf.petit") -> str:
    response = admin.post(
        "/equipe/inviter/",
        {
            "username": username,
            "first_name": "Léa",
            "last_name": "Petit",
            "email": "",
            "roles": [Role.PRATICIEN.value, Role.SECRETARIAT.value],
            "method": method,
        },
    )
    assert response.status_code == 200
    testid = "invitation-link" if method == "link" else "temporary-password"
    found = re.search(rf'data-testid="{testid}">([^<]+)<', response.content.decode())
    assert found is not None
    return found.group(1)


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


def test_it_creates_the_account_with_its_roles_and_a_single_use_link(admin_user: User) -> None:
    admin = logged_in(admin_user)
    link = _invite(admin, "link")
    invited = User.objects.get(username="inf.petit")
    assert invited.practice_id == admin_user.practice_id
    assert invited.role_set() == {Role.PRATICIEN, Role.SECRETARIAT}
    assert not invited.has_usable_password()
    assert Action.ROLE_GRANTED.value in Event.objects.filter(actor_id=str(admin_user.pk)).values_list(
        "action", flat=True
    )

    newcomer = EgideClient()
    assert newcomer.get(_path(link)).status_code == 200
    chosen = newcomer.post(_path(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert chosen["Location"] == "/connexion/"
    # The link worked once.
    again = EgideClient().get(_path(link))
    assert again.status_code == 404
    assert (
        "Ask your administrator for a new one" in again.content.decode()
        or "nouveau" in again.content.decode()
    )
    assert Event.objects.filter(action=Action.INVITATION_ACCEPTED.value, actor_id=str(invited.pk)).exists()

    # First login: the password works, then the authenticator application must be linked.
    first = newcomer.post("/connexion/", {"username": "inf.petit", "password": NEW_PASSWORD})
    assert first["Location"] == "/connexion/activation/"


def test_it_refuses_a_weak_password_on_the_invitation_page(admin_user: User) -> None:
    link = _invite(logged_in(admin_user), "link")
    refused = EgideClient().post(_path(link), {"new_password1": "motdepasse", "new_password2": "motdepasse"})
    assert refused.status_code == 400
    assert EgideClient().get(_path(link)).status_code == 200  # still usable


def test_it_lets_the_link_expire_after_72_hours(admin_user: User) -> None:
    with time_machine.travel("2026-11-23 09:00:00 +0000", tick=False) as clock:
        link = _invite(logged_in(admin_user), "link")
        clock.shift(71 * 3600)
        assert EgideClient().get(_path(link)).status_code == 200
        clock.shift(3600)
        expired = EgideClient().post(
            _path(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert expired.status_code == 404
    assert not User.objects.get(username="inf.petit").has_usable_password()


def test_it_refuses_a_mistyped_link(db: None) -> None:
    assert EgideClient().get("/invitation/pas-un-jeton/").status_code == 404


def test_it_hands_a_temporary_password_to_change_at_first_login(admin_user: User) -> None:
    temporary = _invite(logged_in(admin_user), "password", username="sec.durand")
    newcomer = EgideClient()
    first = newcomer.post("/connexion/", {"username": "sec.durand", "password": temporary})
    assert first["Location"] == "/mot-de-passe/"
    assert newcomer.get("/")["Location"] == "/mot-de-passe/"


def test_it_refuses_a_username_already_taken(admin_user: User, outsider: User) -> None:
    admin = logged_in(admin_user)
    response = admin.post(
        "/equipe/inviter/",
        {"username": outsider.username, "roles": [Role.SECRETARIAT.value], "method": "link"},
    )
    assert response.status_code == 400
    assert User.objects.get(username=outsider.username).practice_id == outsider.practice_id


def test_it_keeps_invitations_to_administrators(practitioner: User) -> None:
    client = logged_in(practitioner)
    assert client.get("/equipe/inviter/").status_code == 404
    response = client.post("/equipe/inviter/", {"username": "x", "roles": ["admin"], "method": "link"})
    assert response.status_code == 404
    assert not User.objects.filter(username="x").exists()


def test_it_replaces_a_lost_link_with_a_new_one(admin_user: User) -> None:
    admin = logged_in(admin_user)
    lost = _invite(admin, "link")
    invited = User.objects.get(username="inf.petit")
    assert f'href="/equipe/{invited.pk}/invitation/"' in admin.get(f"/equipe/{invited.pk}/").content.decode()
    response = admin.post(f"/equipe/{invited.pk}/invitation/")
    found = re.search(r'data-testid="invitation-link">([^<]+)<', response.content.decode())
    assert found is not None
    assert EgideClient().get(_path(lost)).status_code == 404
    assert EgideClient().get(_path(found.group(1))).status_code == 200
    # Once the password is chosen, no new link.
    EgideClient().post(_path(found.group(1)), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert admin.post(f"/equipe/{invited.pk}/invitation/").status_code == 409
