"""A break-the-glass access in a real browser (Debian's Chromium): the practitioner outside the care
team opens the record with a reason, the DPO reviews it, and the patient's trail shows it."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from egide.access.models import BreakGlassGrant, Verdict
from egide.access.tests.conftest import NOTE, REASON
from egide.accounts.models import User
from egide.accounts.tests.logins import totp_code, totp_device_for
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD


def log_in(page: Page, base: str, user: User) -> None:
    """The real login: password, then the code of the person's authenticator application."""
    device = totp_device_for(user)
    page.goto(f"{base}/connexion/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PERSONA_PASSWORD)
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(f"{base}/connexion/second-facteur/")
    page.locator("#id_code").fill(totp_code(device))
    page.locator("button[type=submit].primary").click()
    expect(page).to_have_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_a_break_the_glass_access_is_reviewed_by_the_dpo_and_shown_in_the_trail(
    live_server: LiveServer,
    browser: Browser,
    page: Page,
    practitioner2: User,
    dpo: User,
    patient_id: uuid.UUID,
) -> None:
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # dr.bernard, outside the care team, finds the patient and is offered break-the-glass.
    log_in(page, base, practitioner2)
    page.goto(f"{base}/patients/")
    page.locator("#id_q").fill("Vasquez-Orlov")
    page.locator("button[type=submit].primary").click()
    page.get_by_role("link", name="VASQUEZ-ORLOV Léontine").click()
    expect(page).to_have_url(f"{base}/acces/patients/{patient_id}/bris-de-glace/")
    page.locator("#id_reason").fill(REASON)
    page.get_by_test_id("break-glass-submit").click()
    expect(page).to_have_url(f"{base}/patients/{patient_id}/")
    expect(page.get_by_test_id("break-glass-banner")).to_be_visible()
    expect(page.locator("article.note")).to_contain_text(NOTE)
    page.context.close()

    # The DPO sees the alert on her dashboard, reads the reason and marks the access.
    dpo_page = browser.new_context(locale="fr-FR").new_page()
    dpo_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(dpo_page, base, dpo)
    badge = dpo_page.get_by_test_id("break-glass-badge")
    expect(badge).to_contain_text("1")
    badge.click()
    expect(dpo_page.get_by_test_id("break-glass-row")).to_have_count(1)
    expect(dpo_page.get_by_test_id("break-glass-row")).to_contain_text(practitioner2.label)
    dpo_page.get_by_test_id("break-glass-review").click()
    expect(dpo_page.get_by_test_id("break-glass-reason")).to_have_text(REASON)
    dpo_page.locator("input[name=verdict][value=justified]").check()
    dpo_page.locator("#id_comment").fill("Urgence confirmée par le registre des passages.")
    dpo_page.get_by_test_id("review-submit").click()
    expect(dpo_page).to_have_url(f"{base}/acces/bris-de-glace/")
    expect(dpo_page.get_by_test_id("break-glass-review")).to_have_text(str(Verdict.JUSTIFIED.label))
    expect(dpo_page.get_by_test_id("break-glass-badge").locator(".badge")).to_have_count(0)

    # The patient's trail, reached by the DPO from the review list, shows the access and its reason.
    dpo_page.get_by_test_id("break-glass-row").get_by_role("link", name=str(patient_id)).click()
    expect(dpo_page).to_have_url(f"{base}/acces/patients/{patient_id}/consultations/")
    rows = dpo_page.get_by_test_id("trail-row").filter(has_text=practitioner2.label)
    expect(rows.first).to_be_visible()
    expect(dpo_page.get_by_test_id("trail-reason").first).to_have_text(REASON)
    expect(dpo_page.locator("body")).not_to_contain_text(NOTE)

    grant = BreakGlassGrant.objects.get()
    assert grant.verdict == Verdict.JUSTIFIED and grant.reviewed_by_id == dpo.pk
    assert Event.objects.filter(action="access:break-glass:reviewed", subject_id=str(grant.id)).exists()
    assert errors == []
