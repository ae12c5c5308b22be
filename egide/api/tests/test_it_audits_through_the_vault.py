"""The API adds no audit of its own: the vault's services and selectors record each access, with
the token's account as the actor."""

from __future__ import annotations

import io
import uuid

from django.test import Client

from egide.accounts.models import User
from egide.api.tests.conftest import Bearer
from egide.audit.models import Event

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def test_it_leaves_the_vaults_events(
    api_client: Client, bearer: Bearer, practitioner: User, lefevre: uuid.UUID
) -> None:
    headers = bearer(practitioner)
    base = f"/api/v1/patients/{lefevre}"
    first = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    assert api_client.get(base, headers=headers).status_code == 200
    note = {"text": "Tension 12/8."}
    assert (
        api_client.post(f"{base}/notes", note, content_type="application/json", headers=headers).status_code
        == 201
    )
    assert api_client.get(f"{base}/notes", headers=headers).status_code == 200
    added = api_client.post(f"{base}/documents", {"file": io.BytesIO(PDF)}, headers=headers)
    document = added.json()["id"]
    download = api_client.get(f"{base}/documents/{document}", headers=headers)
    assert download.getvalue() == PDF
    search = {"q": "Quintessa"}
    api_client.post("/api/v1/patients/search", search, content_type="application/json", headers=headers)
    events = Event.objects.filter(id__gt=first).order_by("id")
    assert list(events.values_list("action", flat=True)) == [
        "patient:record:viewed",
        "patient:note:added",
        "patient:record:viewed",
        "patient:notes:viewed",
        "patient:document:added",
        "patient:document:downloaded",
        "patient:records:searched",
        "patient:record:listed",
    ]
    assert set(events.values_list("actor_id", flat=True)) == {str(practitioner.id)}
    assert "Quintessa" not in str(list(events.values()))
