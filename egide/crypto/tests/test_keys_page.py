"""/cles/: the administrator sees the state of the keys; every other role gets a missing page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from egide.accounts.models import User
from egide.crypto import runtime
from egide.crypto.selectors import master_key_fingerprint
from egide.crypto.services import data_key_create, root_key_rotate

pytestmark = pytest.mark.django_db


def test_it_shows_versions_and_counts_to_the_admin_in_french(
    keys: Path, client: Client, admin_user: User
) -> None:
    data_key_create(aad_context="patients.Patient|1")
    root_key_rotate()
    client.force_login(admin_user)

    page = client.get("/cles/", HTTP_ACCEPT_LANGUAGE="fr")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Clés de chiffrement" in html
    assert "déverrouillée" in html
    assert f"<code>{master_key_fingerprint(runtime.current_master_key())}</code>" in html
    assert "Empreinte (imprimée sur le kit de secours)" in html
    assert "courante" in html and "retirée" in html


@pytest.mark.parametrize("persona", ["practitioner", "secretary", "dpo", "outsider"])
def test_it_is_a_missing_page_for_every_other_role(
    keys: Path, client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/cles/").status_code == 404


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    assert client.get("/cles/").status_code == 302
