"""The PDF of the trail handed to the patient: French, complete, behind a fresh re-authentication."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from egide.access.models import BreakGlassGrant
from egide.access.tests.conftest import NOTE, REASON
from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import User
from egide.audit.models import Event
from egide.patients.selectors import patient_get_for_user


def _pdf_url(patient_id: uuid.UUID) -> str:
    return f"/acces/patients/{patient_id}/consultations.pdf"


@pytest.mark.parametrize("persona", ["practitioner", "dpo"])
def test_it_lists_every_access_with_the_break_the_glass_reason(
    persona: str,
    client: Client,
    practitioner2: User,
    patient_id: uuid.UUID,
    grant: BreakGlassGrant,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    patient_get_for_user(user=practitioner2, patient_id=patient_id)
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get(_pdf_url(patient_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="historique-des-acces.pdf"'
    pdf = tmp_path / "historique.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Qui a consulté ce dossier" in flat
    assert "VASQUEZ-ORLOV Léontine, né(e) le 03/02/1961" in flat
    assert "Cabinet des Lilas" in flat
    assert practitioner2.label in flat
    assert "Accès en urgence" in flat
    assert " ".join(REASON.split()) in flat
    assert NOTE not in flat
    printed = Event.objects.get(action="access:trail:printed")
    assert printed.actor_id == str(user.pk) and printed.patient_id == str(patient_id)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    image = Image.open(pages[0]).convert("L")
    darkest = image.getextrema()[0]
    assert isinstance(darkest, int) and darkest < 100  # text was drawn, not a blank page


def test_it_needs_a_fresh_reauthentication(client: Client, practitioner: User, patient_id: uuid.UUID) -> None:
    client.force_login(practitioner)
    session = client.session
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = (
        time.time() - settings.REAUTH_MINUTES * 61
    )
    session.save()
    response = client.get(_pdf_url(patient_id))
    assert response.status_code == 302
    assert response["Location"].startswith("/reauthentification/")
    assert not Event.objects.filter(action="access:trail:printed").exists()
