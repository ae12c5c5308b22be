"""First login: the temporary password is replaced, then the TOTP application enrolled, then the app."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import password_generate, user_create
from egide.accounts.tests.logins import totp_code, totp_device_for
from egide.mfa.models import SealedTOTPDevice

# Enrolment seals the TOTP secret under the installation's keys.
pytestmark = pytest.mark.usefixtures("keys")

NEW_PASSWORD = "Marronnier-42-Quai-Rose!"


def test_it_forces_the_password_change_then_the_enrolment(client: Client, practice: Practice) -> None:
    temporary = password_generate()
    user = user_create(practice=practice, username="dr.nouveau", password=temporary, roles=[Role.PRATICIEN])
    assert user.must_change_password

    assert client.post("/connexion/", {"username": "dr.nouveau", "password": temporary})["Location"] == (
        "/mot-de-passe/"
    )
    assert client.get("/")["Location"] == "/mot-de-passe/"
    assert client.get("/connexion/activation/")["Location"] == "/mot-de-passe/"

    page = client.get("/mot-de-passe/").content.decode()
    assert "12 caractères" in page  # the CNIL rule, from the validators' French help texts
    weak = client.post(
        "/mot-de-passe/", {"old_password": temporary, "new_password1": "soleil", "new_password2": "soleil"}
    )
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]  # why it was refused
    same = client.post(
        "/mot-de-passe/", {"old_password": temporary, "new_password1": temporary, "new_password2": temporary}
    )
    assert same.context["form"].errors["new_password1"]

    changed = client.post(
        "/mot-de-passe/",
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed["Location"] == "/connexion/activation/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get("/")["Location"] == "/connexion/activation/"

    enrol = client.get("/connexion/activation/").content.decode()
    assert re.search(r'<img class="qr" src="data:image/svg\+xml', enrol)
    device = SealedTOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/connexion/activation/", {"code": totp_code(device)})
    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert client.get("/").status_code == 200


def test_an_enrolled_account_proves_its_second_factor_before_anything_else(
    client: Client, practitioner: User
) -> None:
    client.force_login_password_only(practitioner)  # type: ignore[attr-defined]
    totp_device_for(practitioner)
    for page in ("/", "/mot-de-passe/", "/connexion/activation/", "/reauthentification/"):
        assert client.get(page)["Location"] == "/connexion/second-facteur/"
