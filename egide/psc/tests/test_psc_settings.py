"""The practice's Pro Santé Connect settings and its staff's RPPS numbers (admin page, command)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import Practice, User
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.crypto.errors import CryptoError
from egide.psc.models import PscConfiguration, PscIdentity
from egide.psc.services import client_secret_open, psc_configure

ISSUER = "https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet"
SECRET = "un-secret-de-client-3f9b2c"


def _configuration_post(**changes: str) -> dict[str, str]:
    return {
        "form": "configuration",
        "issuer": ISSUER,
        "discovery_url": ISSUER + "/.well-known/wallet-openid-configuration",
        "client_id": "cabinet-des-lilas",
        "client_secret": SECRET,
        "redirect_uri": "https://egide.lilas.example/psc/retour/",
        "enabled": "on",
        **changes,
    }


def test_it_stores_the_client_secret_only_as_an_envelope(
    client: Client, keys: Path, admin_user: User
) -> None:
    client.force_login(admin_user)
    response = client.post("/psc/reglages/", _configuration_post())
    assert response.status_code == 302
    configuration = PscConfiguration.objects.get(practice=admin_user.practice)
    assert configuration.client_secret.startswith("v1$root-")
    assert SECRET not in configuration.client_secret
    assert client_secret_open(configuration) == SECRET
    event = Event.objects.get(action=Action.PSC_CONFIGURED)
    assert event.actor_id == str(admin_user.pk) and SECRET not in str(event.subject_id)


def test_it_keeps_the_secret_when_left_empty(client: Client, keys: Path, admin_user: User) -> None:
    client.force_login(admin_user)
    client.post("/psc/reglages/", _configuration_post())
    client.post("/psc/reglages/", _configuration_post(client_secret="", client_id="nouveau-client"))
    configuration = PscConfiguration.objects.get(practice=admin_user.practice)
    assert configuration.client_id == "nouveau-client"
    assert client_secret_open(configuration) == SECRET


def test_it_binds_the_envelope_to_its_practice(
    client: Client, keys: Path, admin_user: User, other_practice: Practice
) -> None:
    client.force_login(admin_user)
    client.post("/psc/reglages/", _configuration_post())
    ours = PscConfiguration.objects.get(practice=admin_user.practice)
    copy = PscConfiguration.objects.create(
        practice=other_practice,
        issuer=ISSUER,
        client_id="x",
        client_secret=ours.client_secret,
        redirect_uri="https://x.example/psc/retour/",
    )
    with pytest.raises(CryptoError):
        client_secret_open(copy)


def test_it_refuses_a_provider_address_without_https(client: Client, keys: Path, admin_user: User) -> None:
    client.force_login(admin_user)
    response = client.post("/psc/reglages/", _configuration_post(issuer="http://auth.example.org/realm"))
    assert response.status_code == 400
    assert not PscConfiguration.objects.exists()


def test_it_refuses_an_issuer_the_servers_operator_did_not_allow(
    client: Client, keys: Path, admin_user: User, settings: SettingsWrapper
) -> None:
    # An administrator pointing Égide at a provider of their own could log in as any practitioner.
    settings.PSC_ALLOWED_ISSUERS = ["https://auth.esante.gouv.fr/auth/realms/esante-wallet"]
    client.force_login(admin_user)
    response = client.post("/psc/reglages/", _configuration_post(issuer="https://auth.example.org/realm"))
    assert response.status_code == 400
    assert "EGIDE_PSC_ALLOWED_ISSUERS" in response.content.decode()
    assert not PscConfiguration.objects.exists()
    allowed = _configuration_post(
        issuer="https://auth.esante.gouv.fr/auth/realms/esante-wallet", discovery_url=""
    )
    client.post("/psc/reglages/", allowed)
    assert PscConfiguration.objects.get().issuer == "https://auth.esante.gouv.fr/auth/realms/esante-wallet"


def test_it_registers_an_rpps_and_warns_on_a_doubtful_check_digit(
    client: Client, keys: Path, admin_user: User, practitioner: User
) -> None:
    client.force_login(admin_user)
    data = {"form": "rpps", "account": str(practitioner.pk), "rpps": "100 000 000 08"}
    followed = client.post("/psc/reglages/", data, follow=True)
    assert PscIdentity.objects.get(user=practitioner).rpps == "10000000008"
    assert "Luhn" in followed.content.decode()
    assert Event.objects.filter(action=Action.PSC_RPPS_REGISTERED, subject_id=str(practitioner.pk)).exists()


def test_it_refuses_one_rpps_on_two_accounts(
    client: Client, keys: Path, admin_user: User, practitioner: User, practitioner2: User
) -> None:
    client.force_login(admin_user)
    client.post("/psc/reglages/", {"form": "rpps", "account": str(practitioner.pk), "rpps": "10000000009"})
    response = client.post(
        "/psc/reglages/", {"form": "rpps", "account": str(practitioner2.pk), "rpps": "10000000009"}
    )
    assert response.status_code == 400
    assert not PscIdentity.objects.filter(user=practitioner2).exists()


def test_it_never_touches_another_practices_account(
    client: Client, keys: Path, admin_user: User, outsider: User
) -> None:
    client.force_login(admin_user)
    data = {"form": "rpps", "account": str(outsider.pk), "rpps": "10000000009"}
    response = client.post("/psc/reglages/", data)
    assert response.status_code == 400
    assert not PscIdentity.objects.exists()


def test_it_removes_an_rpps(client: Client, keys: Path, admin_user: User, practitioner: User) -> None:
    client.force_login(admin_user)
    client.post("/psc/reglages/", {"form": "rpps", "account": str(practitioner.pk), "rpps": "10000000009"})
    client.post("/psc/reglages/", {"form": "rpps", "account": str(practitioner.pk), "rpps": ""})
    assert not PscIdentity.objects.exists()
    assert Event.objects.filter(action=Action.PSC_RPPS_REMOVED).exists()


def test_it_is_the_administrators_page_only(client: Client, keys: Path, practitioner: User) -> None:
    client.force_login(practitioner)
    assert client.get("/psc/reglages/").status_code == 404


def test_the_command_configures_the_practice(keys: Path, practice: Practice, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    out = io.StringIO()
    call_command(
        "psc",
        "configure",
        "--issuer",
        ISSUER,
        "--client-id",
        "cabinet-des-lilas",
        "--client-secret-file",
        str(secret_file),
        "--redirect-uri",
        "https://egide.lilas.example/psc/retour/",
        stdout=out,
    )
    configuration = PscConfiguration.objects.get(practice=practice)
    assert client_secret_open(configuration) == SECRET
    assert Event.objects.get(action=Action.PSC_CONFIGURED).actor_label == "egide psc"
    status = io.StringIO()
    call_command("psc", "status", stdout=status)
    assert ISSUER in status.getvalue() and SECRET not in status.getvalue()


def test_the_command_registers_an_rpps(keys: Path, practitioner: User) -> None:
    call_command("psc", "rpps", practitioner.username, "10000000009", stdout=io.StringIO())
    assert PscIdentity.objects.get(user=practitioner).rpps == "10000000009"
    with pytest.raises(CommandError):
        call_command("psc", "rpps", practitioner.username, "123", stdout=io.StringIO())


def test_a_shared_installation_never_lists_its_practices_and_each_has_its_own_link(
    client: Client, keys: Path, admin_user: User, other_practice: Practice
) -> None:
    for practice in (admin_user.practice, other_practice):
        psc_configure(
            actor=None,
            actor_label="test",
            practice=practice,
            issuer=ISSUER,
            client_id=f"client-{practice.pk}",
            client_secret=SECRET,
            redirect_uri="https://egide.example/psc/retour/",
        )

    anonymous = Client().get("/psc/connexion/").content.decode()
    client.force_login(admin_user)
    settings_page = client.get("/psc/reglages/").content.decode()

    assert 'data-testid="psc-practice-needed"' in anonymous
    assert admin_user.practice.name not in anonymous and other_practice.name not in anonymous
    assert str(other_practice.pk) not in anonymous
    assert f"/psc/connexion/?cabinet={admin_user.practice_id}" in settings_page


def test_a_root_key_rotation_reseals_the_client_secret(keys: Path, practice: Practice) -> None:
    from egide.crypto.services import root_key_rotate

    psc_configure(
        actor=None,
        actor_label="test",
        practice=practice,
        issuer=ISSUER,
        client_id="cabinet-des-lilas",
        client_secret=SECRET,
        redirect_uri="https://egide.lilas.example/psc/retour/",
    )

    result = root_key_rotate()

    configuration = PscConfiguration.objects.get(practice=practice)
    assert 1 in result.retired_versions and configuration.client_secret.startswith("v1$root-2$")
    assert client_secret_open(configuration) == SECRET  # still opens once version 1 is gone
