"""A practitioner logs in with a real browser (Debian's Chromium) and sees her dashboard."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.accounts.models import User
from egide.core.tests.personas import PERSONA_PASSWORD


@pytest.mark.django_db(transaction=True)
def test_the_practitioner_logs_in_and_sees_her_dashboard(
    live_server: LiveServer, page: Page, practitioner: User, tmp_path: Path
) -> None:
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

    expect(page.get_by_role("heading", name="Cabinet des Lilas")).to_be_visible()
    expect(page.get_by_test_id("practice-name")).to_have_text("Cabinet des Lilas")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_contain_text("Journal des accès")

    shot = page.screenshot(full_page=True, path=str(tmp_path / "tableau-de-bord.png"))
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    assert image.width >= 800
    # Not blank: the styled page has a dark top bar, white cards and text (strict CSP let the CSS load).
    assert max(ImageStat.Stat(image).stddev) > 20
    top_bar = image.getpixel((5, 5))
    assert isinstance(top_bar, tuple)
    assert top_bar[2] > top_bar[0]  # the blue top bar of egide.css
    assert console_errors == []  # no CSP violation, no missing asset
