"""Anything but a live token answers 401, the same for every case, and reveals nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from egide.accounts.models import ApiToken, TokenScope, User
from egide.accounts.tokens import token_create, token_revoke
from egide.api.auth import Unauthenticated


def _refused(response: Any) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["code"] == "non_authentifie"
    assert error["message"] == str(Unauthenticated.default_message)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Basic ZHIubWFydGluOnNlY3JldA==",
        "Bearer ",
        "Bearer egd_",
        "Bearer egd_" + "A" * 43,
        "Bearer not-a-token",
    ],
)
def test_it_answers_401_without_a_known_token(
    api_client: Client, lefevre: uuid.UUID, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    _refused(api_client.get(f"/api/v1/patients/{lefevre}", headers=headers))


def test_it_answers_401_once_the_token_is_revoked(
    api_client: Client, practitioner: User, lefevre: uuid.UUID
) -> None:
    token, value = token_create(user=practitioner, name="Intégration", scope=TokenScope.READ)
    headers = {"Authorization": f"Bearer {value}"}
    assert api_client.get(f"/api/v1/patients/{lefevre}", headers=headers).status_code == 200
    token_revoke(user=practitioner, token_id=token.id)
    _refused(api_client.get(f"/api/v1/patients/{lefevre}", headers=headers))


def test_it_answers_401_once_the_token_has_expired(
    api_client: Client, practitioner: User, lefevre: uuid.UUID
) -> None:
    token, value = token_create(
        user=practitioner,
        name="Intégration",
        scope=TokenScope.READ,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    headers = {"Authorization": f"Bearer {value}"}
    assert api_client.get(f"/api/v1/patients/{lefevre}", headers=headers).status_code == 200
    ApiToken.objects.filter(id=token.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(api_client.get(f"/api/v1/patients/{lefevre}", headers=headers))


def test_it_answers_401_for_a_disabled_account(
    api_client: Client, practitioner: User, lefevre: uuid.UUID
) -> None:
    _token, value = token_create(user=practitioner, name="Intégration", scope=TokenScope.READ)
    User.objects.filter(id=practitioner.id).update(is_active=False)
    _refused(api_client.get(f"/api/v1/patients/{lefevre}", headers={"Authorization": f"Bearer {value}"}))


def test_it_answers_401_for_a_value_differing_from_a_real_token_after_its_prefix(
    api_client: Client, practitioner: User, lefevre: uuid.UUID
) -> None:
    _token, value = token_create(user=practitioner, name="Intégration", scope=TokenScope.READ)
    forged = value[:-1] + ("A" if value[-1] != "A" else "B")
    _refused(api_client.get(f"/api/v1/patients/{lefevre}", headers={"Authorization": f"Bearer {forged}"}))


def test_it_ignores_a_logged_in_session(client: Client, practitioner: User, lefevre: uuid.UUID) -> None:
    client.force_login(practitioner)
    _refused(client.get(f"/api/v1/patients/{lefevre}"))
