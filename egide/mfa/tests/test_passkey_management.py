"""One's own passkeys: added behind a fresh re-authentication, listed, renamed, removed — never the
last second factor — each change in the journal."""

from __future__ import annotations

import time_machine
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import log_in_verified, totp_device_for
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.mfa.models import PasskeyDevice
from egide.mfa.tests.authenticator import SoftAuthenticator
from egide.mfa.tests.conftest import passkey_registered, shows

ADD = "/second-facteur/cles-d-acces/ajouter/"


def test_adding_a_passkey_asks_for_a_fresh_reauthentication(local_client: Client, practitioner: User) -> None:
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False) as clock:
        log_in_verified(local_client, practitioner)
        clock.shift(11 * 60)
        assert local_client.get(ADD)["Location"] == f"/reauthentification/?next={ADD}"


def test_a_registered_passkey_is_listed_and_journalled(local_client: Client, practitioner: User) -> None:
    passkey = passkey_registered(local_client, practitioner, SoftAuthenticator())
    local_client.force_login(practitioner)

    page = local_client.get("/second-facteur/")

    assert 'value="Ordinateur du cabinet"' in page.content.decode()
    event = Event.objects.get(action=Action.PASSKEY_REGISTERED)
    assert event.actor_id == str(practitioner.pk) and event.subject_id == str(passkey.pk)
    # Only public material is kept: no private key can be in the database.
    assert passkey.public_key and passkey.transports == ["internal"]


def test_it_refuses_a_registration_without_user_verification(
    local_client: Client, practitioner: User
) -> None:
    local_client.force_login(practitioner)
    options = local_client.get(ADD).context["passkey_options"]

    refused = local_client.post(ADD, {"credential": SoftAuthenticator().register(options, verified=False)})

    assert refused.status_code == 400
    assert shows(refused, "This passkey could not be registered. Try again, or use another device.")
    assert not PasskeyDevice.objects.filter(user=practitioner).exists()


def test_a_passkey_is_renamed(local_client: Client, practitioner: User) -> None:
    passkey = passkey_registered(local_client, practitioner, SoftAuthenticator())
    local_client.force_login(practitioner)

    local_client.post(f"/second-facteur/cles-d-acces/{passkey.pk}/renommer/", {"name": "Clé rouge"})

    assert 'value="Clé rouge"' in local_client.get("/second-facteur/").content.decode()
    assert Event.objects.filter(action=Action.PASSKEY_RENAMED, subject_id=str(passkey.pk)).exists()


def test_the_only_second_factor_cannot_be_removed(local_client: Client, practitioner: User) -> None:
    passkey = passkey_registered(local_client, practitioner, SoftAuthenticator())
    local_client.force_login(practitioner)

    refused = local_client.post(f"/second-facteur/cles-d-acces/{passkey.pk}/supprimer/")

    assert refused.status_code == 409
    assert shows(
        refused,
        "This is your only second factor: add another passkey or an authenticator "
        "application before removing it.",
    )
    assert PasskeyDevice.objects.filter(pk=passkey.pk).exists()


def test_a_passkey_is_removed_when_another_factor_remains(local_client: Client, practitioner: User) -> None:
    passkey = passkey_registered(local_client, practitioner, SoftAuthenticator())
    totp_device_for(practitioner)
    local_client.force_login(practitioner)

    confirm = local_client.get(f"/second-facteur/cles-d-acces/{passkey.pk}/supprimer/")
    assert "Ordinateur du cabinet" in confirm.content.decode()
    removed = local_client.post(f"/second-facteur/cles-d-acces/{passkey.pk}/supprimer/")

    assert removed["Location"] == "/second-facteur/"
    assert not PasskeyDevice.objects.filter(pk=passkey.pk).exists()
    assert Event.objects.filter(action=Action.PASSKEY_REMOVED, subject_id=str(passkey.pk)).exists()


def test_another_persons_passkey_is_out_of_reach(
    local_client: Client, practitioner: User, practitioner2: User
) -> None:
    theirs = passkey_registered(local_client, practitioner2, SoftAuthenticator())
    totp_device_for(practitioner2)
    local_client.force_login(practitioner)

    assert local_client.get(f"/second-facteur/cles-d-acces/{theirs.pk}/supprimer/").status_code == 404
    assert local_client.post(f"/second-facteur/cles-d-acces/{theirs.pk}/supprimer/").status_code == 404
    renamed = local_client.post(f"/second-facteur/cles-d-acces/{theirs.pk}/renommer/", {"name": "À moi"})
    assert renamed.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Ordinateur du cabinet"
