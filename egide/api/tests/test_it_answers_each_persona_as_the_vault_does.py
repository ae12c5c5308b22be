"""Every endpoint × every persona, with the allowed set asserted exactly (issue 5 "Done when").

The practitioner follows the patient; her colleague and the secretary see the identity but no notes
or documents; the DPO and the admin see no patient; the outsider's practice holds other patients.
Refused answers are the same as for a patient that does not exist. A new endpoint without a row
here fails ``test_it_has_a_row_for_every_endpoint``.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from egide.accounts.models import User
from egide.api.api import api
from egide.api.tests.conftest import Bearer
from egide.patients.documents import document_add

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
IDENTITY = {"birth_name": "Nouveau", "birth_first_names": ["Jean"], "birth_date": "1970-01-01", "sex": "M"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as in the OpenAPI document
    body: object = None  # JSON, or "file" for a multipart upload


ENDPOINTS = {
    "create": Endpoint("post", "/api/v1/patients", IDENTITY),
    "search": Endpoint("post", "/api/v1/patients/search", {"q": "Quintessa"}),
    "read": Endpoint("get", "/api/v1/patients/{patient_id}"),
    "update": Endpoint("put", "/api/v1/patients/{patient_id}", IDENTITY),
    "notes": Endpoint("get", "/api/v1/patients/{patient_id}/notes"),
    "add_note": Endpoint("post", "/api/v1/patients/{patient_id}/notes", {"text": "Tension 12/8."}),
    "documents": Endpoint("get", "/api/v1/patients/{patient_id}/documents"),
    "add_document": Endpoint("post", "/api/v1/patients/{patient_id}/documents", "file"),
    "download": Endpoint("get", "/api/v1/patients/{patient_id}/documents/{document_id}"),
}

ALL = {name: 404 for name in ENDPOINTS}
IDENTITY_ONLY = {**ALL, "create": 201, "search": 200, "read": 200, "update": 200}
MATRIX = {
    "practitioner": {
        **IDENTITY_ONLY,
        "notes": 200,
        "add_note": 201,
        "documents": 200,
        "add_document": 201,
        "download": 200,
    },
    # Outside the care team: finds the patient, opens the record only through break-the-glass (web).
    "practitioner2": {**ALL, "create": 201, "search": 200},
    "secretary": IDENTITY_ONLY,
    "dpo": ALL,
    "admin_user": ALL,
    # Another practice: creates and searches in its own, never reaches this one's patient.
    "outsider": {**ALL, "create": 201, "search": 200},
}
# Searching finds the practice's patients for practitioners (to break the glass) and the secretariat.
SEES_THE_PATIENT = {"practitioner", "practitioner2", "secretary"}


def _call(client: Client, endpoint: Endpoint, headers: dict[str, str], **ids: uuid.UUID) -> Any:
    url = endpoint.path.format(**ids)
    if endpoint.body == "file":
        return client.post(url, {"file": io.BytesIO(PDF)}, headers=headers)
    if endpoint.body is None:
        return getattr(client, endpoint.method)(url, headers=headers)
    return getattr(client, endpoint.method)(
        url, endpoint.body, content_type="application/json", headers=headers
    )


def test_it_has_a_row_for_every_endpoint(api_client: Client) -> None:
    described = {
        (method, path)
        for path, operations in api_client.get("/api/v1/openapi.json").json()["paths"].items()
        for method in operations
    }
    assert described == {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS.values()}
    assert set(MATRIX) == {"practitioner", "practitioner2", "secretary", "dpo", "admin_user", "outsider"}
    assert all(set(row) == set(ENDPOINTS) for row in MATRIX.values())
    assert api.urls_namespace == "api"


@pytest.mark.parametrize("persona", sorted(MATRIX))
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_it_answers_exactly_as_the_matrix_says(
    persona: str,
    name: str,
    api_client: Client,
    bearer: Bearer,
    practitioner: User,
    lefevre: uuid.UUID,
    request: pytest.FixtureRequest,
) -> None:
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="bilan.pdf", upload=io.BytesIO(PDF)
    )
    user: User = request.getfixturevalue(persona)
    headers = bearer(user)
    endpoint = ENDPOINTS[name]
    response = _call(api_client, endpoint, headers, patient_id=lefevre, document_id=document_id)
    expected = MATRIX[persona][name]
    assert response.status_code == expected, response.content
    if expected == 404:
        missing = _call(api_client, endpoint, headers, patient_id=uuid.uuid4(), document_id=uuid.uuid4())
        assert missing.status_code == 404
        assert response.json() == missing.json()
    if name == "search" and expected == 200:
        found = [hit["id"] for hit in response.json()]
        assert found == ([str(lefevre)] if persona in SEES_THE_PATIENT else [])
    if name == "download" and expected == 200:
        assert response.getvalue() == PDF
        assert response["Content-Disposition"] == 'attachment; filename="bilan.pdf"'
