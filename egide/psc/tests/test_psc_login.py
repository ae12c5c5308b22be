"""Logging in with Pro Santé Connect against a real OpenID Connect provider (issue 5 item 3)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.test import Client
from django.utils import timezone

from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.psc.models import PscAuthorisation, PscConfiguration
from egide.psc.services import psc_authorisations_purge
from egide.psc.tests.provider import OidcProvider, provider_round_trip


def test_it_logs_a_registered_practitioner_in_past_both_factors(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    callback = provider_round_trip(client, "/psc/connexion/")
    landed = client.get(callback)
    assert landed.status_code == 302
    assert landed["Location"] == "/"
    # The dashboard opens: no password, no second-factor step left (eIDAS substantial).
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert dashboard.wsgi_request.user == psc_practitioner
    assert PASSWORD_AT_SESSION_KEY in client.session and FACTOR_AT_SESSION_KEY in client.session


def test_it_sends_pkce_s256_scope_all_and_acr_eidas1(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    started = client.get("/psc/connexion/")
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["scope"] == ["openid scope_all"]
    assert query["acr_values"] == ["eidas1"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["response_type"] == ["code"]
    assert query["state"][0] and query["nonce"][0]
    # The verifier itself never leaves Égide: only its S256 challenge is sent.
    assert client.session["egide_psc_pending"]["code_verifier"] not in started["Location"]


def test_it_journals_the_login_with_ids_only(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    client.get(provider_round_trip(client, "/psc/connexion/"))
    event = Event.objects.get(action=Action.PSC_LOGIN_SUCCEEDED)
    assert event.outcome == Outcome.SUCCESS
    assert event.actor_id == str(psc_practitioner.pk)
    assert event.subject_id == str(psc_practitioner.pk)
    assert "10000000009" not in f"{event.subject_id}{event.subject_type}{event.justification}"


def test_it_sends_a_temporary_password_holder_to_choose_a_password(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    psc_practitioner.must_change_password = True
    psc_practitioner.save(update_fields=["must_change_password"])
    landed = client.get(provider_round_trip(client, "/psc/connexion/"))
    assert landed["Location"] == "/mot-de-passe/"


def test_it_shows_the_button_on_the_login_page_only_when_configured(
    client: Client, psc_practice: PscConfiguration
) -> None:
    assert "Pro Santé Connect" in client.get("/connexion/").content.decode()
    psc_practice.enabled = False
    psc_practice.save(update_fields=["enabled"])
    assert "Pro Santé Connect" not in client.get("/connexion/").content.decode()


def test_it_reads_the_provider_addresses_at_run_time(psc_practice: PscConfiguration) -> None:
    stored = " ".join(str(value) for value in PscConfiguration.objects.values_list().get())
    assert "/token" not in stored and "/auth" not in stored and "jwks" not in stored


def test_it_forgets_authorisations_after_a_day(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    client.get("/psc/connexion/")
    assert PscAuthorisation.objects.count() == 1
    assert psc_authorisations_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert psc_authorisations_purge() == 1


def test_a_password_alone_never_lets_someone_enrol_a_new_means_on_a_card_holders_account(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    # dr.martin only ever logs in with her card: whoever phished her password must not be able to
    # enrol their own authenticator and get in.
    from egide.core.tests.personas import PERSONA_PASSWORD

    first = client.post("/connexion/", {"username": psc_practitioner.username, "password": PERSONA_PASSWORD})
    assert first["Location"] == "/connexion/second-facteur/"
    second_factor = client.get("/connexion/second-facteur/")
    assert "/psc/connexion/" in second_factor.content.decode()  # her way in: the card
    assert client.get("/connexion/activation/").status_code != 200
    assert client.get("/").status_code == 302
    # …and the card, from that very page, lets her in.
    client.get(provider_round_trip(client, "/psc/connexion/"))
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and dashboard.wsgi_request.user == psc_practitioner


def test_it_refuses_pro_sante_connect_once_the_practice_withdrew_it(
    client: Client, provider: OidcProvider, psc_practitioner: User, admin_user: User
) -> None:
    from egide.accounts.tests.logins import totp_device_for
    from egide.mfa.homologation import means_decide
    from egide.mfa.models import Means

    totp_device_for(psc_practitioner)  # she has another way in: the withdrawal is allowed
    means_decide(actor=admin_user, means=Means.PSC, approved=False, reference="Comité du 3 mars, PV 2")

    response = client.get("/psc/connexion/")

    assert response.status_code in (400, 404)
    assert "_auth_user_id" not in client.session


def test_pro_sante_connect_is_not_taken_from_someone_who_logs_in_with_nothing_else(
    psc_practitioner: User, admin_user: User
) -> None:
    import pytest

    from egide.core.errors import Conflict
    from egide.mfa.homologation import means_approved, means_decide
    from egide.mfa.models import Means
    from egide.psc.services import psc_configure

    configuration = PscConfiguration.objects.get(practice=psc_practitioner.practice)
    with pytest.raises(Conflict, match="CPS"):
        means_decide(actor=admin_user, means=Means.PSC, approved=False, reference="PV 4")
    with pytest.raises(Conflict, match="CPS"):
        psc_configure(
            actor=admin_user,
            practice=admin_user.practice,
            issuer=configuration.issuer,
            client_id=configuration.client_id,
            redirect_uri=configuration.redirect_uri,
            enabled=False,
        )

    assert means_approved(practice=psc_practitioner.practice, means=Means.PSC)
    assert PscConfiguration.objects.get(practice=psc_practitioner.practice).enabled
