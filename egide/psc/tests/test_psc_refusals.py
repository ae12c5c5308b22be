"""Each bad Pro Santé Connect answer is refused, journalled, and explained in French (issue 5)."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from django.test import Client
from django.utils import translation

from egide.accounts.models import Practice, User
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.psc.failures import Failure
from egide.psc.models import PscConfiguration
from egide.psc.services import psc_configure, rpps_fingerprint
from egide.psc.tests.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    UNKNOWN_RPPS,
    OidcProvider,
    provider_round_trip,
)


def _refusal(response: object, failure: Failure) -> str:
    """The French message shown, after checking it is the one of ``failure``."""
    body = response.content.decode()  # type: ignore[attr-defined]
    assert f'data-code="{failure.code}"' in body
    with translation.override("fr"):
        message = str(failure.message)
    assert message.replace("’", "&#x27;") in body or message in body
    return message


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _failure_event(failure: Failure) -> Event:
    return Event.objects.get(action=Action.PSC_LOGIN_FAILED, subject_type=f"psc:{failure.code}")


def test_it_refuses_an_acr_other_than_eidas1(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    provider.next_login(acr="eidas2")
    response = client.get(provider_round_trip(client, "/psc/connexion/"))
    assert response.status_code == 400
    _refusal(response, Failure.WRONG_ACR)
    assert not _logged_in(client)
    assert _failure_event(Failure.WRONG_ACR).outcome == Outcome.FAILURE


def test_it_accepts_a_higher_acr_once_the_practice_allows_it(
    client: Client, provider: OidcProvider, psc_practitioner: User, settings: object
) -> None:
    # PSC's full acr set is UNCONFIRMED (regulatory-facts §7.1): accepting eidas3 is a setting.
    settings.PSC_ACCEPTED_ACR = ["eidas1", "eidas3"]  # type: ignore[attr-defined]
    provider.next_login(acr="eidas3")
    response = client.get(provider_round_trip(client, "/psc/connexion/"))
    assert response.status_code == 302
    assert _logged_in(client)


def test_it_refuses_an_id_token_signed_by_another_key(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    provider.next_login(forge_signature=True)
    response = client.get(provider_round_trip(client, "/psc/connexion/"))
    assert response.status_code == 400
    _refusal(response, Failure.BAD_SIGNATURE)
    assert not _logged_in(client)
    assert _failure_event(Failure.BAD_SIGNATURE)


def test_it_refuses_a_replayed_state(client: Client, provider: OidcProvider, psc_practitioner: User) -> None:
    callback = provider_round_trip(client, "/psc/connexion/")
    assert client.get(callback).status_code == 302
    client.logout()
    replayed = client.get(callback)
    assert replayed.status_code == 400
    _refusal(replayed, Failure.STATE_REPLAYED)
    assert not _logged_in(client)
    assert _failure_event(Failure.STATE_REPLAYED)


def test_it_refuses_a_state_replayed_from_another_browser(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    callback = provider_round_trip(client, "/psc/connexion/")
    assert client.get(callback).status_code == 302
    attacker = Client()
    response = attacker.get(callback)
    _refusal(response, Failure.STATE_REPLAYED)
    assert not _logged_in(attacker)


def test_it_refuses_a_callback_started_in_another_browser(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    # A login forced on someone else: the answer belongs to the browser that asked for it.
    callback = provider_round_trip(client, "/psc/connexion/")
    victim = Client()
    response = victim.get(callback)
    _refusal(response, Failure.STATE_INVALID)
    assert not _logged_in(victim)
    # …and the legitimate browser cannot use it any more either (single use).
    _refusal(client.get(callback), Failure.STATE_REPLAYED)


def test_it_refuses_an_unknown_rpps_and_journals_only_its_fingerprint(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    users_before = User.objects.count()
    provider.next_login(national_id="8" + UNKNOWN_RPPS)
    response = client.get(provider_round_trip(client, "/psc/connexion/"))
    assert response.status_code == 400
    _refusal(response, Failure.UNKNOWN_RPPS)
    assert not _logged_in(client)
    # Never an account created on the fly.
    assert User.objects.count() == users_before
    event = _failure_event(Failure.UNKNOWN_RPPS)
    assert event.outcome == Outcome.DENIED
    assert event.subject_id == rpps_fingerprint(UNKNOWN_RPPS)
    every_field = " ".join(str(value) for value in Event.objects.values_list())
    assert UNKNOWN_RPPS not in every_field


def test_it_refuses_the_rpps_of_a_deactivated_account(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    psc_practitioner.is_active = False
    psc_practitioner.save(update_fields=["is_active"])
    response = client.get(provider_round_trip(client, "/psc/connexion/"))
    _refusal(response, Failure.UNKNOWN_RPPS)
    assert not _logged_in(client)


def test_it_refuses_an_rpps_registered_in_another_practice(
    client: Client, provider: OidcProvider, psc_practitioner: User, other_practice: Practice
) -> None:
    # The other practice uses the same provider; the practitioner is registered only at the Lilas.
    psc_configure(
        actor=None,
        actor_label="test",
        practice=other_practice,
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
    )
    response = client.get(provider_round_trip(client, f"/psc/connexion/?cabinet={other_practice.pk}"))
    _refusal(response, Failure.UNKNOWN_RPPS)
    assert not _logged_in(client)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_it_says_when_the_provider_cannot_be_reached(client: Client, keys: Path, practice: Practice) -> None:
    psc_configure(
        actor=None,
        actor_label="test",
        practice=practice,
        issuer=f"http://127.0.0.1:{_closed_port()}",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
    )
    response = client.get("/psc/connexion/")
    assert response.status_code == 502
    _refusal(response, Failure.UNREACHABLE)
    assert _failure_event(Failure.UNREACHABLE).practice_id == str(practice.pk)


def test_it_says_when_the_provider_stops_answering_before_the_callback(
    client: Client, provider: OidcProvider, psc_practitioner: User, psc_practice: PscConfiguration
) -> None:
    callback = provider_round_trip(client, "/psc/connexion/")
    # The discovery document was cached; the provider's token endpoint is now unreachable.
    psc_practice.issuer = f"http://127.0.0.1:{_closed_port()}"
    psc_practice.save(update_fields=["issuer"])
    response = client.get(callback)
    assert response.status_code == 502
    _refusal(response, Failure.UNREACHABLE)


def test_it_refuses_a_login_the_person_cancelled(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    started = client.get("/psc/connexion/")
    state = client.session["egide_psc_pending"]["state"]
    assert started.status_code == 302
    response = client.get(f"/psc/retour/?error=access_denied&state={state}")
    _refusal(response, Failure.PROVIDER_DENIED)
    assert not _logged_in(client)


@pytest.mark.parametrize("query", ["", "?state=inconnu&code=abc"])
def test_it_refuses_a_callback_without_a_known_state(client: Client, db: None, query: str) -> None:
    response = client.get(f"/psc/retour/{query}")
    assert response.status_code == 400
    _refusal(response, Failure.STATE_INVALID)


def _tamper_pending(client: Client, **changes: str) -> None:
    session = client.session
    session["egide_psc_pending"] = {**session["egide_psc_pending"], **changes}
    session.save()


def _round_trip_tampered(client: Client, **changes: str) -> object:
    started = client.get("/psc/connexion/")
    assert started.status_code == 302
    # The provider's answer is genuine; what Égide expects of it was changed.
    _tamper_pending(client, **changes)
    session_pending = dict(client.session["egide_psc_pending"])
    browser_callback = _follow_provider(str(started["Location"]))
    assert client.session["egide_psc_pending"] == session_pending
    return client.get(browser_callback)


def _follow_provider(url: str) -> str:
    browser = requests.Session()
    for _hop in range(10):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(REDIRECT_URI):
            return url.removeprefix("http://localhost")
    raise AssertionError("the provider never sent the browser back")


def test_it_refuses_an_id_token_with_another_nonce(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    response = _round_trip_tampered(client, nonce="une-autre-valeur")
    _refusal(response, Failure.INVALID_ANSWER)
    assert not _logged_in(client)


def test_it_gets_no_token_without_the_right_pkce_verifier(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    # The provider requires PKCE: a code alone (intercepted, say) is worth nothing.
    response = _round_trip_tampered(client, code_verifier="x" * 64)
    _refusal(response, Failure.INVALID_ANSWER)
    assert not _logged_in(client)


def test_it_refuses_a_provider_whose_issuer_is_not_the_configured_one(
    client: Client, provider: OidcProvider, psc_practice: PscConfiguration
) -> None:
    # Same server, other name: its discovery document names another issuer.
    psc_practice.issuer = provider.issuer.replace("127.0.0.1", "localhost")
    psc_practice.save(update_fields=["issuer"])
    response = client.get("/psc/connexion/")
    assert response.status_code == 502
    _refusal(response, Failure.MISCONFIGURED)
