"""A read token reads (search included, though POSTed) but cannot write; an agent token reaches no
patient data. Refusals change nothing."""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.test import Client

from egide.accounts.models import TokenScope, User
from egide.api.tests.conftest import Bearer
from egide.patients.models import Document, Note, Patient

NEW_PATIENT = {"birth_name": "Nouveau", "birth_first_names": ["Jean"], "birth_date": "1970-01-01", "sex": "M"}


def _forbidden(response: Any) -> None:
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "interdit"


def test_it_lets_a_read_token_read_and_search(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    headers = bearer(practitioner, TokenScope.READ)
    assert api_client.get(f"/api/v1/patients/{lefevre}", headers=headers).status_code == 200
    search = api_client.post(
        "/api/v1/patients/search", {"q": "Quintessa"}, content_type="application/json", headers=headers
    )
    assert search.status_code == 200
    assert [hit["id"] for hit in search.json()] == [str(lefevre)]


def test_it_keeps_a_read_token_from_writing(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    headers = bearer(practitioner, TokenScope.READ)
    _forbidden(
        api_client.post("/api/v1/patients", NEW_PATIENT, content_type="application/json", headers=headers)
    )
    _forbidden(
        api_client.put(
            f"/api/v1/patients/{lefevre}", NEW_PATIENT, content_type="application/json", headers=headers
        )
    )
    _forbidden(
        api_client.post(
            f"/api/v1/patients/{lefevre}/notes",
            {"text": "Note"},
            content_type="application/json",
            headers=headers,
        )
    )
    _forbidden(
        api_client.post(
            f"/api/v1/patients/{lefevre}/documents", {"file": io.BytesIO(b"%PDF-1.4\n")}, headers=headers
        )
    )
    assert Patient.objects.count() == 1
    assert not Note.objects.exists()
    assert not Document.objects.exists()


def test_it_keeps_an_agent_token_away_from_patients(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    headers = bearer(practitioner, TokenScope.AGENT)
    _forbidden(api_client.get(f"/api/v1/patients/{lefevre}", headers=headers))
    _forbidden(
        api_client.post(
            "/api/v1/patients/search", {"q": "Quintessa"}, content_type="application/json", headers=headers
        )
    )
    _forbidden(
        api_client.post("/api/v1/patients", NEW_PATIENT, content_type="application/json", headers=headers)
    )
    assert Patient.objects.count() == 1
