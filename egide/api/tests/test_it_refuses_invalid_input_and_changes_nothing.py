"""Invalid input answers 400 with the vault's French messages per field, and nothing is written."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.test import Client

from egide.accounts.models import User
from egide.api.tests.conftest import Bearer
from egide.audit.models import Event
from egide.patients.models import Note, Patient
from egide.patients.selectors import patient_get_for_user

IDENTITY = {"birth_name": "Nouveau", "birth_first_names": ["Jean"], "birth_date": "1970-01-01", "sex": "M"}


def test_it_refuses_a_nir_with_a_wrong_key(
    keys: Path, api_client: Client, bearer: Bearer, practitioner: User
) -> None:
    headers = bearer(practitioner)
    events = Event.objects.count()
    body = {**IDENTITY, "nir": "170017505612300"}
    response = api_client.post("/api/v1/patients", body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalide"
    assert error["fields"]["nir"] == ["Clé NIR invalide : 80 attendu."]
    assert not Patient.objects.exists()
    assert Event.objects.count() == events


def test_it_refuses_an_update_and_keeps_the_identity(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    before = patient_get_for_user(user=practitioner, patient_id=lefevre).identity
    response = api_client.put(
        f"/api/v1/patients/{lefevre}",
        {**IDENTITY, "email": "pas-une-adresse", "sex": "X"},
        content_type="application/json",
        headers=bearer(practitioner),
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "sex"}
    assert patient_get_for_user(user=practitioner, patient_id=lefevre).identity == before


def test_it_answers_malformed_bodies_in_the_same_shape(
    keys: Path, api_client: Client, bearer: Bearer, practitioner: User
) -> None:
    response = api_client.post(
        "/api/v1/patients",
        {"birth_first_names": ["Jean"], "birth_date": "hier", "sex": "M"},
        content_type="application/json",
        headers=bearer(practitioner),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalide"
    assert set(error["fields"]) == {"birth_name", "birth_date"}
    not_json = api_client.post(
        "/api/v1/patients", "{pas du json", content_type="application/json", headers=bearer(practitioner)
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "invalide"
    assert not Patient.objects.exists()


def test_it_refuses_an_empty_note(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    response = api_client.post(
        f"/api/v1/patients/{lefevre}/notes",
        {"text": "   "},
        content_type="application/json",
        headers=bearer(practitioner),
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"text": ["La note est vide."]}
    assert not Note.objects.exists()


def test_it_refuses_a_search_too_short(
    keys: Path, api_client: Client, bearer: Bearer, practitioner: User
) -> None:
    response = api_client.post(
        "/api/v1/patients/search", {"q": "a"}, content_type="application/json", headers=bearer(practitioner)
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]
