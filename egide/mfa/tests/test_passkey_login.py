"""Logging in with a passkey as the second factor: user verification required, the challenge used
once, the page's own origin only, and a signature counter that goes backwards refused."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.crypto import runtime
from egide.mfa.models import PasskeyDevice
from egide.mfa.tests.authenticator import SoftAuthenticator
from egide.mfa.tests.conftest import passkey_registered, shows

SECOND_FACTOR = "/connexion/second-facteur/"


def _password_step(client: Client, user: User) -> dict[str, object]:
    assert client.post("/connexion/", {"username": user.username, "password": PERSONA_PASSWORD})[
        "Location"
    ] == (SECOND_FACTOR)
    page = client.get(SECOND_FACTOR)
    assert shows(page, "Use my passkey")
    options: dict[str, object] = page.context["passkey_options"]
    return options


def test_it_opens_the_app_with_a_passkey(local_client: Client, practitioner: User) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    options = _password_step(local_client, practitioner)
    assert options["userVerification"] == "required"

    response = local_client.post(SECOND_FACTOR, {"credential": authenticator.authenticate(options)})

    assert response["Location"] == "/"
    assert local_client.get("/").status_code == 200
    passkey = PasskeyDevice.objects.get(user=practitioner)
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


def test_it_refuses_a_passkey_without_user_verification(local_client: Client, practitioner: User) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    options = _password_step(local_client, practitioner)

    refused = local_client.post(
        SECOND_FACTOR, {"credential": authenticator.authenticate(options, verified=False)}
    )

    assert refused.status_code == 200
    assert shows(refused, "This passkey could not be verified. Try again.")
    assert local_client.get("/")["Location"] == SECOND_FACTOR
    assert Event.objects.filter(action=Action.LOGIN_FAILED, actor_id=str(practitioner.pk)).count() == 1


def test_it_refuses_an_answer_made_for_another_site(local_client: Client, practitioner: User) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    options = _password_step(local_client, practitioner)

    phished = authenticator.authenticate(options, origin="https://egide-connexion.example")

    assert local_client.post(SECOND_FACTOR, {"credential": phished}).status_code == 200
    assert local_client.get("/")["Location"] == SECOND_FACTOR


def test_it_accepts_an_answer_once(local_client: Client, practitioner: User) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    options = _password_step(local_client, practitioner)
    answer = authenticator.authenticate(options)
    assert local_client.post(SECOND_FACTOR, {"credential": answer})["Location"] == "/"

    other = Client(HTTP_HOST="localhost")
    _password_step(other, practitioner)
    replayed = other.post(SECOND_FACTOR, {"credential": answer})

    assert replayed.status_code == 200
    assert other.get("/")["Location"] == SECOND_FACTOR


def test_it_refuses_a_counter_that_went_backwards_and_says_so_in_the_journal(
    local_client: Client, practitioner: User
) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    PasskeyDevice.objects.filter(user=practitioner).update(sign_count=41)
    options = _password_step(local_client, practitioner)

    refused = local_client.post(
        SECOND_FACTOR, {"credential": authenticator.authenticate(options, sign_count=40)}
    )

    assert refused.status_code == 200
    assert shows(
        refused,
        "This passkey was refused: its counter went backwards, which can mean it was copied. "
        "Use another second factor and tell your administrator.",
    )
    assert local_client.get("/")["Location"] == SECOND_FACTOR
    event = Event.objects.get(action=Action.PASSKEY_REFUSED)
    assert event.outcome == Outcome.DENIED and event.actor_id == str(practitioner.pk)
    assert PasskeyDevice.objects.get(user=practitioner).sign_count == 41


def test_it_refuses_the_passkey_of_another_account(
    local_client: Client, practitioner: User, practitioner2: User
) -> None:
    mine, theirs = SoftAuthenticator(), SoftAuthenticator()
    passkey_registered(local_client, practitioner, mine)
    passkey_registered(local_client, practitioner2, theirs)
    options = _password_step(local_client, practitioner)

    refused = local_client.post(SECOND_FACTOR, {"credential": theirs.authenticate(options)})

    assert shows(refused, "This passkey is not registered for your account.")
    assert local_client.get("/")["Location"] == SECOND_FACTOR


def test_it_offers_no_passkey_where_the_browser_could_not_use_one(client: Client, practitioner: User) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(EgideClient(HTTP_HOST="localhost"), practitioner, authenticator)
    # http://127.0.0.1: an IP address cannot be a WebAuthn relying party.
    client.post(
        "/connexion/",
        {"username": practitioner.username, "password": PERSONA_PASSWORD},
        HTTP_HOST="127.0.0.1",
    )
    page = client.get(SECOND_FACTOR, HTTP_HOST="127.0.0.1")
    assert page.context["passkey_options"] is None
    assert "data-passkey" not in page.content.decode()


def test_a_passkey_confirms_a_sensitive_action_with_the_password(
    local_client: Client, practitioner: User
) -> None:
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False) as clock:
        options = _password_step(local_client, practitioner)
        assert (
            local_client.post(SECOND_FACTOR, {"credential": authenticator.authenticate(options)})["Location"]
            == "/"
        )
        clock.shift(11 * 60)
        assert local_client.get("/second-facteur/cles-d-acces/ajouter/")["Location"].startswith(
            "/reauthentification/"
        )
        page = local_client.get("/reauthentification/?next=/second-facteur/cles-d-acces/ajouter/")
        options = page.context["passkey_options"]

        wrong = local_client.post(
            "/reauthentification/",
            {"password": "pas-le-bon", "credential": authenticator.authenticate(options), "next": "/"},
        )
        assert wrong.status_code == 200
        options = wrong.context["passkey_options"]
        confirmed = local_client.post(
            "/reauthentification/",
            {
                "password": PERSONA_PASSWORD,
                "credential": authenticator.authenticate(options),
                "next": "/second-facteur/cles-d-acces/ajouter/",
            },
        )

        assert confirmed["Location"] == "/second-facteur/cles-d-acces/ajouter/"
        assert local_client.get("/second-facteur/cles-d-acces/ajouter/").status_code == 200


def test_passkeys_still_open_the_app_while_the_keys_are_sealed(
    local_client: Client, practitioner: User, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A passkey holds no secret of ours: it works while TOTP codes cannot be checked."""
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    settings.KEY_PROVIDER = "sealed"
    settings.KEY_DIR.mkdir(mode=0o700, parents=True)
    runtime.forget_unsealed()
    runtime.keys_create(passphrase="cheval correct agrafe pile 42")
    runtime.forget_unsealed()
    assert runtime.is_sealed()
    authenticator = SoftAuthenticator()
    passkey_registered(local_client, practitioner, authenticator)
    options = _password_step(local_client, practitioner)

    response = local_client.post(SECOND_FACTOR, {"credential": authenticator.authenticate(options)})

    assert response["Location"] == "/"
    runtime.forget_unsealed()
