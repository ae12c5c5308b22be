"""With a real browser (Debian's Chromium): an invited person opens their link and chooses a password;
a session ended by the administrator is logged out at the next click."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.accounts.models import Role, User
from egide.accounts.tests.logins import EgideClient
from egide.staff.services import InviteMethod, account_invite
from egide.staff.sessions import sessions_end_all

NEW_PASSWORD = "Glycine-42-Rue-Haute!"


@pytest.mark.django_db(transaction=True)
def test_the_invited_person_chooses_a_password_then_links_an_application(
    live_server: LiveServer, page: Page, admin_user: User, keys: Path
) -> None:
    invitation = account_invite(
        actor=admin_user, username="inf.petit", roles=[Role.PRATICIEN], method=InviteMethod.LINK
    )
    link = f"{live_server.url}/invitation/{invitation.invitation_token}/"
    page.goto(link)
    expect(page.get_by_text("inf.petit")).to_be_visible()
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(f"{live_server.url}/connexion/")
    page.locator("#id_username").fill("inf.petit")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("button[type=submit]").last.click()
    expect(page).to_have_url(f"{live_server.url}/connexion/activation/")
    # The link worked once (seen from a browser that is not logged in).
    page.context.clear_cookies()
    page.goto(link)
    expect(page.locator("section.card.error")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_session_ended_by_the_administrator_is_logged_out(
    live_server: LiveServer, page: Page, admin_user: User, practitioner: User
) -> None:
    client = EgideClient()
    client.force_login(practitioner)
    session_key = client.session.session_key
    assert session_key is not None
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/compte/sessions/")
    expect(page.get_by_test_id("current-session")).to_be_visible()

    sessions_end_all(actor=admin_user, owner=practitioner)

    page.reload()
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/compte/sessions/")
