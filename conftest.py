"""Shared test fixtures: the personas of STYLE.md and a real browser.

Personas: a practitioner with her practice, a second practitioner of the same
practice, a secretary, a DPO, an admin, and an outsider from another practice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import practice_create, user_create
from egide.accounts.tests.logins import EgideClient, log_in_verified
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.crypto.runtime import keyring_forget, keys_create

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, headless, with no call home (this machine has no network).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _isolated_directories(settings: SettingsWrapper, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.KEY_DIR = tmp_path / "keys"
    settings.SECRET_KEY_FILE = settings.KEY_DIR / "secret_key"
    # Argon2id stays the production hasher (see test_settings); tests hash quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def keys(settings: SettingsWrapper) -> Iterator[Path]:
    """A key directory with a fresh master key and keyring (what `egide init` creates)."""
    settings.KEY_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring_forget()
    keys_create()
    yield settings.KEY_DIR
    keyring_forget()


@pytest.fixture
def practice(db: None) -> Practice:
    return practice_create(name="Cabinet des Lilas", siren="732829320", dpo_email="dpo@lilas.example")


@pytest.fixture
def other_practice(db: None) -> Practice:
    return practice_create(name="Centre médical du Port")


def _staff(practice: Practice, username: str, *roles: Role) -> User:
    return user_create(
        practice=practice,
        username=username,
        password=PERSONA_PASSWORD,
        roles=roles,
        first_name=username.split(".")[-1].capitalize(),
        # Personas chose their own password already; first-login tests create their own accounts.
        must_change_password=False,
    )


@pytest.fixture
def practitioner(practice: Practice) -> User:
    return _staff(practice, "dr.martin", Role.PRATICIEN)


@pytest.fixture
def practitioner2(practice: Practice) -> User:
    return _staff(practice, "dr.bernard", Role.PRATICIEN)


@pytest.fixture
def secretary(practice: Practice) -> User:
    return _staff(practice, "sec.leroy", Role.SECRETARIAT)


@pytest.fixture
def dpo(practice: Practice) -> User:
    return _staff(practice, "dpo.roux", Role.DPO)


@pytest.fixture
def admin_user(practice: Practice) -> User:
    return _staff(practice, "admin.it", Role.ADMIN)


@pytest.fixture
def outsider(other_practice: Practice) -> User:
    return _staff(other_practice, "dr.port", Role.PRATICIEN)


@pytest.fixture
def client() -> Client:
    """pytest-django's client, whose ``force_login`` also proves the second factor (EgideClient)."""
    return EgideClient()


@pytest.fixture
def practitioner_client(client: Client, practitioner: User) -> Client:
    """The practitioner past password and second factor (any persona: ``log_in_verified``)."""
    return log_in_verified(client, practitioner)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by the test itself (fixtures) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        # A new, empty profile per launch: Playwright never reuses a user-data dir.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()
