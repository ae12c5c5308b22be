"""Security headers and cookie flags, as a browser receives them."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.core.tests.personas import PERSONA_PASSWORD


def test_every_page_sends_the_security_headers(client: Client, db: None) -> None:
    response = client.get("/connexion/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response


def test_session_cookie_is_httponly_and_samesite(client: Client, practitioner: User) -> None:
    response = client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["egide_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]


@pytest.fixture
def tls(settings: SettingsWrapper) -> None:
    """What EGIDE_TLS=1 sets (test_settings checks the mapping itself)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-egide_session"
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_with_tls_it_sends_hsts_and_secure_cookies(tls: None, client: Client, practitioner: User) -> None:
    plain = client.get("/connexion/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    response = client.post(
        "/connexion/",
        {"username": "dr.martin", "password": PERSONA_PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies["__Host-egide_session"]
    assert cookie["secure"] is True and cookie["httponly"] is True


def test_pages_of_a_logged_in_person_are_never_cached(practitioner_client: Client) -> None:
    response = practitioner_client.get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
