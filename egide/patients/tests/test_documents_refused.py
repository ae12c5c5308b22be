"""Files are judged by their content, not their name; a refused file changes nothing.

Messages are compared through gettext: the page shows the French catalogue's wording once the
msgids are translated, the English msgid until then.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.audit.models import Event
from egide.core.errors import Invalid
from egide.patients.documents import document_add
from egide.patients.models import Document
from egide.patients.tests.document_samples import PDF, REFUSED

REFUSED_KIND = (
    "This kind of file is not accepted. Send a PDF, an image (PNG, JPEG, GIF, WebP, TIFF), a UTF-8 "
    "text file or an office document (DOCX, XLSX, ODT, ODS, DOC, XLS). Nothing was saved."
)
TOO_LARGE = "The file is larger than %(max)s MB. Nothing was saved."


def _blob_files(settings: SettingsWrapper) -> list[Path]:
    directory = Path(settings.DATA_DIR) / "blobs"
    return list(directory.iterdir()) if directory.exists() else []


def _post(client: Client, patient_id: uuid.UUID, name: str, content: bytes) -> list[str]:
    url = reverse("patients:document_new", kwargs={"patient_id": patient_id})
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=[f"{i}-{n}" for i, (n, _) in enumerate(REFUSED)])
def test_it_refuses_a_file_whose_content_is_not_an_accepted_type(
    practitioner_client: Client, lefevre: uuid.UUID, settings: SettingsWrapper, name: str, content: bytes
) -> None:
    shown = _post(practitioner_client, lefevre, name, content)

    assert shown == [gettext(REFUSED_KIND)]
    assert not Document.objects.exists()
    assert not Event.objects.filter(action="patient:document:added").exists()
    assert _blob_files(settings) == []


def test_it_refuses_a_file_over_the_size_limit(
    practitioner: User, lefevre: uuid.UUID, settings: SettingsWrapper
) -> None:
    settings.DOCUMENT_MAX_MB = 1
    content = PDF + bytes(1024 * 1024)

    with pytest.raises(Invalid) as caught:
        document_add(actor=practitioner, patient_id=lefevre, filename="gros.pdf", upload=io.BytesIO(content))

    assert caught.value.fields["file"] == [gettext(TOO_LARGE) % {"max": 1}]
    assert not Document.objects.exists()
    assert _blob_files(settings) == []


def test_it_refuses_an_oversized_upload_before_reading_it(
    practitioner_client: Client, lefevre: uuid.UUID, settings: SettingsWrapper
) -> None:
    settings.DOCUMENT_MAX_MB = 1

    shown = _post(practitioner_client, lefevre, "gros.pdf", PDF + bytes(2 * 1024 * 1024))

    assert shown == [gettext(TOO_LARGE) % {"max": 1}]
    assert not Document.objects.exists()


def test_it_refuses_an_empty_file(practitioner_client: Client, lefevre: uuid.UUID) -> None:
    shown = _post(practitioner_client, lefevre, "vide.pdf", b"")

    assert len(shown) == 1
    assert not Document.objects.exists()
