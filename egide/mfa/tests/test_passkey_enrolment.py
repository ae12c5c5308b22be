"""At first login a passkey can be chosen instead of the authenticator application."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egide.accounts.models import Practice, Role
from egide.accounts.services import user_create
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.mfa.models import PasskeyDevice
from egide.mfa.tests.authenticator import SoftAuthenticator

CODE = re.compile(r"<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>")


@pytest.mark.usefixtures("keys")
def test_a_new_account_activates_a_passkey_instead_of_an_application(
    local_client: Client, practice: Practice
) -> None:
    user = user_create(
        practice=practice,
        username="dr.neuve",
        password=PERSONA_PASSWORD,
        roles=[Role.PRATICIEN],
        must_change_password=False,
    )
    assert local_client.post("/connexion/", {"username": "dr.neuve", "password": PERSONA_PASSWORD})[
        "Location"
    ] == ("/connexion/activation/")
    page = local_client.get("/connexion/activation/")
    assert 'class="qr"' in page.content.decode()  # both means are offered
    options = page.context["passkey_options"]
    assert options["authenticatorSelection"]["userVerification"] == "required"

    done = local_client.post("/connexion/activation/", {"credential": SoftAuthenticator().register(options)})

    assert len(CODE.findall(done.content.decode())) == 10
    assert local_client.get("/").status_code == 200
    assert PasskeyDevice.objects.filter(user=user).count() == 1
    # The activation page is a first-login step only: adding means later asks a re-authentication.
    assert local_client.get("/connexion/activation/")["Location"] == "/"
