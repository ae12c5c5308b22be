"""The JSON API in the authorisation matrix (see egide/core/tests/access_matrix.py): each persona
calls with a token of its own, of the narrowest scope the operation accepts."""

from __future__ import annotations

from egide.core.tests.access_matrix import (
    ANY_SCOPE,
    CLINICAL,
    EVERYONE,
    IDENTITY,
    PATIENT_STAFF,
    READ,
    WRITE,
    Row,
    pdf_upload,
    today,
)

IDENTITY_BODY = {
    "birth_name": "Matrice",
    "birth_first_names": ["Dominique"],
    "birth_date": "1975-05-05",
    "sex": "M",
}

ROWS = [
    # The OpenAPI document describes the operations, no data: open like a login page.
    Row("api:openapi-json", allowed=EVERYONE, scopes=ANY_SCOPE),
    Row("api:create_patient", "POST", allowed=PATIENT_STAFF, data=IDENTITY_BODY, ok={201}, scopes=WRITE),
    Row("api:search_patients", "POST", allowed=PATIENT_STAFF, data={"q": "Matrice"}, scopes=READ),
    Row("api:get_patient", allowed=IDENTITY, scopes=READ),
    Row("api:update_patient", "PUT", allowed=IDENTITY, data=IDENTITY_BODY, scopes=WRITE),
    Row("api:list_notes", allowed=CLINICAL, scopes=READ),
    Row(
        "api:add_note",
        "POST",
        allowed=CLINICAL,
        data=lambda call: {"text": "Revu ce jour.", "written_on": today()},
        ok={201},
        scopes=WRITE,
    ),
    Row("api:list_documents", allowed=CLINICAL, scopes=READ),
    Row(
        "api:add_document",
        "POST",
        allowed=CLINICAL,
        data=lambda call: {"file": pdf_upload()},
        ok={201},
        scopes=WRITE,
    ),
    Row("api:download_document", allowed=CLINICAL, scopes=READ),
]
