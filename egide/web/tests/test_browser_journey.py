"""A practitioner's first login with a real browser (Debian's Chromium): her own password, her
authenticator application, then her dashboard."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from django_otp.oath import totp
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.accounts.models import User
from egide.core.tests.personas import PERSONA_PASSWORD

NEW_PASSWORD = "Marronnier-42-Quai-Rose!"


def code_for(secret: str) -> str:
    """What the phone shows: RFC 6238 from the base32 key typed by hand."""
    padded = secret + "=" * (-len(secret) % 8)
    return f"{totp(base64.b32decode(padded)):06d}"


@pytest.mark.django_db(transaction=True)
def test_the_practitioner_logs_in_for_the_first_time_and_sees_her_dashboard(
    live_server: LiveServer, page: Page, practitioner: User, tmp_path: Path, keys: Path
) -> None:
    User.objects.filter(pk=practitioner.pk).update(must_change_password=True)  # as an admin created it
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/connexion/?next=/")
    expect(page.get_by_role("heading", name="Connexion à Égide")).to_be_visible()
    page.get_by_label("Identifiant").fill("dr.martin")
    page.get_by_label("Mot de passe").fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # The temporary password is replaced first.
    expect(page).to_have_url(f"{live_server.url}/mot-de-passe/")
    page.locator("#id_old_password").fill(PERSONA_PASSWORD)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("button[type=submit].primary").click()

    # Then the authenticator application: the QR code (an SVG data: URI) and the key to type.
    expect(page).to_have_url(f"{live_server.url}/connexion/activation/")
    expect(page.locator("img.qr")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.locator("#id_code").fill(code_for(secret))
    page.locator("button[type=submit].primary").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.locator("a.primary").click()

    expect(page.get_by_role("heading", name="Cabinet des Lilas")).to_be_visible()
    expect(page.get_by_test_id("practice-name")).to_have_text("Cabinet des Lilas")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_contain_text("Patients")

    shot = page.screenshot(full_page=True, path=str(tmp_path / "tableau-de-bord.png"))
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    assert image.width >= 800
    # Not blank: the styled page has a dark top bar, white cards and text (strict CSP let the CSS load).
    assert max(ImageStat.Stat(image).stddev) > 20
    top_bar = image.getpixel((5, 5))
    assert isinstance(top_bar, tuple)
    assert top_bar[2] > top_bar[0]  # the blue top bar of egide.css
    assert console_errors == []  # no CSP violation, no missing asset
