"""Clients at http://localhost (the default RP id: passkeys need a host name, not 127.0.0.1)."""

from __future__ import annotations

from typing import Protocol

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import conditional_escape

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient
from egide.mfa.models import PasskeyDevice
from egide.mfa.tests.authenticator import SoftAuthenticator


@pytest.fixture
def local_client() -> Client:
    return EgideClient(HTTP_HOST="localhost")


def passkey_registered(client: Client, user: User, authenticator: SoftAuthenticator) -> PasskeyDevice:
    """Register ``authenticator`` through the pages, in a session verified just now."""
    client.force_login(user)
    options = client.get("/second-facteur/cles-d-acces/ajouter/").context["passkey_options"]
    response = client.post(
        "/second-facteur/cles-d-acces/ajouter/",
        {"name": "Ordinateur du cabinet", "credential": authenticator.register(options)},
    )
    assert response["Location"] == "/second-facteur/"
    passkey: PasskeyDevice = PasskeyDevice.objects.get(user=user)
    client.logout()
    return passkey


class _Page(Protocol):
    content: bytes


def shows(response: _Page, message: str) -> bool:
    """Whether the page shows ``message`` as the person reads it (in French once the catalogue
    holds its translation, in English until then)."""
    with translation.override("fr"):
        return conditional_escape(translation.gettext(message)) in response.content.decode()
