"""The patient pages in French: no personal data in URLs or titles; invalid input changes nothing."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.test import Client

from egide.accounts.models import User
from egide.patients.models import Patient
from egide.patients.tests.conftest import valid_nir

FORM = {
    "birth_name": "Lefèvre-D'Arc",
    "birth_first_names": "Zéphyrine Marie",
    "used_name": "",
    "used_first_name": "",
    "birth_date": "1984-03-09",
    "sex": "F",
    "birthplace_cog": "75056",
    "nir": valid_nir("2840375056123"),
    "ins_matricule": "",
    "ins_oid": "",
    "identity_status": "PROV",
    "address": "",
    "phone": "",
    "email": "",
    "death_date": "",
}


@pytest.fixture
def logged_in(client: Client, practitioner: User, keys: Path) -> Client:
    client.force_login(practitioner)
    return client


def test_a_practitioner_creates_a_patient_and_lands_on_an_opaque_url(logged_in: Client) -> None:
    response = logged_in.post("/patients/nouveau/", FORM, follow=True)
    patient = Patient.objects.get()
    assert response.redirect_chain[-1][0] == f"/patients/{patient.id}/"
    body = response.content.decode()
    assert "LEFÈVRE-D&#x27;ARC Zéphyrine" in body
    title = re.search(r"<title>(.*?)</title>", body)
    assert title is not None
    assert title.group(1) == "Dossier patient · Égide"


def test_a_wrong_nir_key_is_explained_and_nothing_is_created(logged_in: Client) -> None:
    response = logged_in.post("/patients/nouveau/", {**FORM, "nir": FORM["nir"][:13] + "00"})
    assert response.status_code == 400
    assert f"Clé NIR invalide : {FORM['nir'][13:]} attendu." in response.content.decode()
    assert not Patient.objects.exists()


def test_the_search_is_posted_never_put_in_the_url(logged_in: Client) -> None:
    logged_in.post("/patients/nouveau/", FORM)
    response = logged_in.post("/patients/", {"q": "lefevre d arc zephyrine"})
    assert "1 patient trouvé" in response.content.decode()
    assert logged_in.get("/patients/?q=lefevre").content.decode().count("LEFÈVRE") == 0


def test_a_note_is_added_from_the_patient_page(logged_in: Client) -> None:
    logged_in.post("/patients/nouveau/", FORM)
    patient = Patient.objects.get()
    response = logged_in.post(
        f"/patients/{patient.id}/notes/", {"text": "Douleur lombaire, repos."}, follow=True
    )
    assert "Douleur lombaire, repos." in response.content.decode()


@pytest.mark.parametrize("persona", ["dpo", "admin_user"])
def test_dpo_and_admin_have_no_patient_pages(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/patients/").status_code == 404
    assert client.get(f"/patients/{uuid.uuid4()}/").status_code == 404
