"""A practitioner logs in with Pro Santé Connect in a real browser (Debian's Chromium): the button on
the login page, the provider, and back to her dashboard, under Égide's strict CSP."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.accounts.models import Practice, User
from egide.psc.services import psc_configure, psc_rpps_register
from egide.psc.tests.provider import CLIENT_ID, CLIENT_SECRET, RPPS, provider_process


@pytest.mark.django_db(transaction=True)
def test_the_practitioner_logs_in_with_her_card_and_sees_her_dashboard(
    live_server: LiveServer, page: Page, practice: Practice, practitioner: User, keys: Path
) -> None:
    redirect_uri = f"{live_server.url}/psc/retour/"
    with provider_process(redirect_uri) as provider:
        psc_configure(
            actor=None,
            actor_label="test",
            practice=practice,
            issuer=provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=redirect_uri,
        )
        psc_rpps_register(actor=None, actor_label="test", account=practitioner, rpps=RPPS)
        provider.next_login()  # her card, at eidas1
        console_errors: list[str] = []
        page.on(
            "console",
            lambda message: console_errors.append(message.text) if message.type == "error" else None,
        )
        page.goto(f"{live_server.url}/connexion/")
        page.get_by_test_id("psc-login").click()
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_test_id("practice-name")).to_have_text(practice.name)
        assert console_errors == []
