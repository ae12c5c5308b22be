"""Every accepted kind of document comes back byte for byte, as an attachment of the right type."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient, log_in_verified
from egide.audit.models import Event
from egide.patients.models import Document
from egide.patients.tests.document_samples import ACCEPTED, download_url, upload


@pytest.mark.parametrize(("name", "content", "media_type"), ACCEPTED, ids=[name for name, _, _ in ACCEPTED])
def test_it_returns_each_accepted_type_unchanged(
    practitioner_client: Client, lefevre: uuid.UUID, name: str, content: bytes, media_type: str
) -> None:
    upload(practitioner_client, lefevre, name, content)
    document = Document.objects.get(patient_id=lefevre)
    page = practitioner_client.get(f"/patients/{lefevre}/")
    assert name in page.content.decode()

    response = practitioner_client.get(download_url(lefevre, document.id))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["Content-Type"] == media_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    actions = set(Event.objects.filter(patient_id=str(lefevre)).values_list("action", flat=True))
    assert {"patient:document:added", "patient:document:downloaded"} <= actions


def test_it_gives_back_a_non_ascii_name_as_rfc_6266_filename_star(
    practitioner_client: Client, lefevre: uuid.UUID
) -> None:
    upload(practitioner_client, lefevre, "../Échographie\u202e d'été.pdf", ACCEPTED[0][1])
    document = Document.objects.get(patient_id=lefevre)

    response = practitioner_client.get(download_url(lefevre, document.id))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%C3%89chographie%20d%27%C3%A9t%C3%A9.pdf"
    )
    response.close()


def test_it_lists_the_documents_only_for_the_care_team(
    practitioner: User, practitioner_client: Client, secretary: User, lefevre: uuid.UUID
) -> None:
    upload(practitioner_client, lefevre, "compte-rendu.pdf", ACCEPTED[0][1])
    secretary_page = log_in_verified(EgideClient(), secretary).get(f"/patients/{lefevre}/")
    assert secretary_page.status_code == 200
    assert "compte-rendu.pdf" not in secretary_page.content.decode()
    assert "compte-rendu.pdf" in practitioner_client.get(f"/patients/{lefevre}/").content.decode()
