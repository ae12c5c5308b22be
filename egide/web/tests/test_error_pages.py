"""Errors are shown in French, without stack traces, with one mapping from domain errors to HTTP."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.urls("egide.web.tests.error_urls"), pytest.mark.django_db]


def test_an_unknown_page_answers_a_french_404(client: Client) -> None:
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_crash_answers_a_french_500_without_details() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Erreur interne" in body
    assert "secret detail" not in body
    assert "Traceback" not in body


def test_domain_errors_map_to_http_statuses_in_french(client: Client) -> None:
    forbidden = client.get("/interdit/")
    assert forbidden.status_code == 403
    assert "Vous n’avez pas les droits nécessaires" in forbidden.content.decode()
    missing = client.get("/absent/")
    assert missing.status_code == 404
    assert "n’existe pas, ou vous n’y avez pas accès" in missing.content.decode()


def test_api_errors_are_json_with_field_messages(client: Client) -> None:
    response = client.get("/api/v1/essai/")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalide"
    assert error["fields"] == {"nir": ["Clé NIR invalide : 93 attendu"]}
    assert "Rien n’a été modifié" in error["message"]
