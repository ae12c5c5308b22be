"""Logging in, the dashboard shell, the language switch and practice isolation."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import log_in_through_forms
from egide.core.tests.personas import PERSONA_PASSWORD


def test_the_login_page_is_in_french_by_default(client: Client, db: None) -> None:
    body = client.get("/connexion/").content.decode()
    assert '<html lang="fr">' in body
    assert "Connexion à Égide" in body
    assert "Mot de passe" in body


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_wrong_password_gets_a_french_message_and_no_session(client: Client, practitioner: User) -> None:
    response = client.post("/connexion/", {"username": "dr.martin", "password": "mauvais"})
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert client.get("/").status_code == 302


def test_the_practitioner_logs_in_and_sees_her_practice(client: Client, practitioner: User) -> None:
    assert log_in_through_forms(client, practitioner, PERSONA_PASSWORD) == "/"
    body = client.get("/").content.decode()
    assert "Cabinet des Lilas" in body
    assert "Praticien" in body
    assert "Alertes" in body  # navigation for the parts to come
    assert 'href="/patients/"' in body


def test_logout_ends_the_session(practitioner_client: Client) -> None:
    response = practitioner_client.post("/deconnexion/")
    assert response.status_code == 302
    assert practitioner_client.get("/").status_code == 302


def test_the_interface_switches_to_english(practitioner_client: Client) -> None:
    practitioner_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = practitioner_client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Your roles:" in body
    assert "Log out" in body


@pytest.mark.parametrize("persona", ["secretary", "dpo", "admin_user", "practitioner2"])
def test_each_persona_sees_only_their_own_practice(
    client: Client, persona: str, outsider: User, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    body = client.get("/").content.decode()
    assert "Cabinet des Lilas" in body
    assert "Centre médical du Port" not in body


def test_the_outsider_sees_only_the_other_practice(
    client: Client, outsider: User, practitioner: User
) -> None:
    client.force_login(outsider)
    body = client.get("/").content.decode()
    assert "Centre médical du Port" in body
    assert "Cabinet des Lilas" not in body


def test_an_idle_session_expires_after_15_minutes(client: Client, practitioner: User) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        log_in_through_forms(client, practitioner, PERSONA_PASSWORD)
        clock.shift(14 * 60)
        assert client.get("/").status_code == 200  # activity extends the session
        clock.shift(14 * 60)
        assert client.get("/").status_code == 200
        clock.shift(16 * 60)
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        ("practitioner", {"/patients/"}),
        ("secretary", {"/patients/"}),
        ("dpo", {"/journal/"}),
        ("admin_user", {"/journal/", "/cles/"}),
    ],
)
def test_the_navigation_offers_each_role_its_parts(
    client: Client, persona: str, links: set[str], request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/").content.decode()
    offered = {link for link in ("/patients/", "/journal/", "/cles/") if f'href="{link}"' in body}
    assert offered == links
