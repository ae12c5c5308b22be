"""The secretariat never sees notes or documents; the DPO and the admin never see clinical content."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client

from egide.access.tests.conftest import NOTE
from egide.accounts.models import User
from egide.core.errors import NotFound
from egide.patients.documents import document_add, document_list_for_user, document_open_for_user
from egide.patients.selectors import patient_get_for_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILENAME = "compte-rendu-cardiologie.pdf"


@pytest.fixture
def document_id(practitioner: User, patient_id: uuid.UUID) -> uuid.UUID:
    return document_add(actor=practitioner, patient_id=patient_id, filename=FILENAME, upload=io.BytesIO(PDF))


def test_the_secretariat_sees_the_identity_never_notes_or_documents(
    client: Client, secretary: User, patient_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    record = patient_get_for_user(user=secretary, patient_id=patient_id)
    assert record.identity is not None and record.notes == () and not record.can_see_clinical
    with pytest.raises(NotFound):
        document_list_for_user(user=secretary, patient_id=patient_id)
    with pytest.raises(NotFound):
        document_open_for_user(user=secretary, patient_id=patient_id, document_id=document_id)
    client.force_login(secretary)
    page = client.get(f"/patients/{patient_id}/").content.decode()
    assert "VASQUEZ-ORLOV" in page
    assert NOTE not in page and FILENAME not in page
    assert client.get(f"/patients/{patient_id}/documents/{document_id}/").status_code == 404
    assert client.post(f"/patients/{patient_id}/notes/", {"text": "Note"}).status_code == 404


@pytest.mark.parametrize("persona", ["dpo", "admin_user"])
def test_the_dpo_and_the_admin_never_see_clinical_content(
    persona: str,
    client: Client,
    patient_id: uuid.UUID,
    document_id: uuid.UUID,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(persona)
    with pytest.raises(NotFound):
        patient_get_for_user(user=user, patient_id=patient_id)
    with pytest.raises(NotFound):
        document_open_for_user(user=user, patient_id=patient_id, document_id=document_id)
    client.force_login(user)
    urls = [
        f"/patients/{patient_id}/",
        f"/patients/{patient_id}/documents/{document_id}/",
        f"/acces/patients/{patient_id}/consultations/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404)
        body = response.content.decode()
        assert NOTE not in body and FILENAME not in body
    assert client.get(urls[0]).status_code == 404
