"""Only the patient's care team downloads a document; everyone else gets a missing page."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient, log_in_verified
from egide.audit.models import Event
from egide.patients.documents import document_add
from egide.patients.models import Document
from egide.patients.tests.document_samples import PDF, download_url, upload


@pytest.mark.parametrize("persona", ["secretary", "practitioner2", "outsider", "dpo", "admin_user"])
def test_it_answers_404_outside_the_care_team(
    persona: str, practitioner: User, lefevre: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(PDF)
    )
    client = log_in_verified(EgideClient(), request.getfixturevalue(persona))

    response = client.get(download_url(lefevre, document_id))

    assert response.status_code == 404
    assert not Event.objects.filter(action="patient:document:downloaded").exists()


@pytest.mark.parametrize("persona", ["secretary", "practitioner2", "outsider"])
def test_it_does_not_let_others_upload(
    persona: str, lefevre: uuid.UUID, request: pytest.FixtureRequest
) -> None:
    client = log_in_verified(EgideClient(), request.getfixturevalue(persona))

    upload(client, lefevre, "cr.pdf", PDF)

    assert not Document.objects.exists()
    assert not Event.objects.filter(action="patient:document:added").exists()


def test_it_answers_404_for_a_document_of_another_patient(
    practitioner: User, practitioner_client: Client, lefevre: uuid.UUID, durand: uuid.UUID
) -> None:
    document_id = document_add(
        actor=practitioner, patient_id=lefevre, filename="cr.pdf", upload=io.BytesIO(PDF)
    )

    assert practitioner_client.get(download_url(durand, document_id)).status_code == 404
    assert practitioner_client.get(download_url(lefevre, uuid.uuid4())).status_code == 404


def test_it_refuses_an_upload_without_the_csrf_token(
    practitioner: User, lefevre: uuid.UUID, settings: SettingsWrapper
) -> None:
    client = log_in_verified(EgideClient(enforce_csrf_checks=True), practitioner)

    response = client.post(
        reverse("patients:document_new", kwargs={"patient_id": lefevre}),
        {"file": SimpleUploadedFile("cr.pdf", PDF)},
    )

    assert response.status_code == 403
    assert not Document.objects.exists()
    assert not (Path(settings.DATA_DIR) / "blobs").exists() or not any(
        (Path(settings.DATA_DIR) / "blobs").iterdir()
    )
