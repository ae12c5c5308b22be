from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from egide.accounts.models import TokenScope, User
from egide.accounts.tokens import token_create

# The vault's own patients (a practitioner's, with every identity field) serve the API's tests too.
from egide.patients.tests.conftest import durand, lefevre, lefevre_identity, valid_nir

__all__ = ["durand", "lefevre", "lefevre_identity", "valid_nir"]

Bearer = Callable[..., dict[str, str]]


@pytest.fixture
def bearer() -> Bearer:
    """``bearer(user, scope)``: the headers of a fresh token of ``user``."""

    def headers(user: User, scope: TokenScope = TokenScope.READ_WRITE) -> dict[str, str]:
        _token, value = token_create(user=user, name="Intégration", scope=scope)
        return {"Authorization": f"Bearer {value}"}

    return headers


@pytest.fixture
def api_client() -> Client:
    """No session, no cookie: the API knows only the bearer token."""
    return Client(enforce_csrf_checks=True)
