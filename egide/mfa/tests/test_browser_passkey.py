"""With a real browser (Debian's Chromium) and its virtual authenticator (DevTools protocol,
CTAP2, internal transport, user verification): a new account chooses a passkey at first login,
logs out, and logs in again with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.accounts.models import Practice, Role
from egide.accounts.services import user_create
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.mfa.models import PasskeyDevice


@pytest.mark.django_db(transaction=True)
def test_a_passkey_is_registered_at_first_login_then_opens_the_next_session(
    live_server: LiveServer, page: Page, practice: Practice, keys: Path
) -> None:
    user = user_create(
        practice=practice,
        username="dr.neuve",
        password=PERSONA_PASSWORD,
        roles=[Role.PRATICIEN],
        must_change_password=False,
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    base = live_server.url.replace("127.0.0.1", "localhost")  # an IP address cannot hold passkeys

    page.goto(f"{base}/connexion/")
    page.locator("#id_username").fill("dr.neuve")
    page.locator("#id_password").fill(PERSONA_PASSWORD)
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(f"{base}/connexion/activation/")
    page.locator("button[data-passkey=create]").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert PasskeyDevice.objects.filter(user=user).count() == 1
    page.locator("a.primary").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Cabinet des Lilas")).to_be_visible()

    page.locator("form[action='/deconnexion/'] button").click()
    expect(page).to_have_url(f"{base}/connexion/")
    page.locator("#id_username").fill("dr.neuve")
    page.locator("#id_password").fill(PERSONA_PASSWORD)
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(f"{base}/connexion/second-facteur/")
    page.locator("button[data-passkey=get]").click()

    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_role("heading", name="Cabinet des Lilas")).to_be_visible()
    passkey = PasskeyDevice.objects.get(user=user)
    assert passkey.sign_count >= 1 and passkey.last_used_at is not None
    assert console_errors == []  # no CSP violation: the script is a static file
