"""Pro Santé Connect as a fresh re-authentication before a sensitive action (issue 5 item 5)."""

from __future__ import annotations

import time

from django.test import Client

from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import User
from egide.accounts.tests.logins import log_in_verified
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.psc.failures import Failure
from egide.psc.services import psc_rpps_register
from egide.psc.tests.provider import UNKNOWN_RPPS, OidcProvider, provider_round_trip

# A page behind require_recent_auth (issue 5: 2FA changes).
SENSITIVE = "/codes-de-secours/"


def _stale(client: Client) -> None:
    session = client.session
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = time.time() - 3600
    session.save()


def test_it_offers_pro_sante_connect_on_the_reauthentication_page(
    client: Client, provider: OidcProvider, psc_practitioner: User, practitioner2: User
) -> None:
    log_in_verified(client, psc_practitioner)
    assert 'data-testid="psc-reauth"' in client.get("/reauthentification/").content.decode()
    # Not to someone whose RPPS is not registered.
    other = Client()
    log_in_verified(other, practitioner2)
    assert 'data-testid="psc-reauth"' not in other.get("/reauthentification/").content.decode()


def test_it_counts_as_a_fresh_reauthentication(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    log_in_verified(client, psc_practitioner)
    _stale(client)
    asked = client.get(SENSITIVE)
    assert asked.status_code == 302 and asked["Location"].startswith("/reauthentification/")
    callback = provider_round_trip(client, f"/psc/reauthentification/?next={SENSITIVE}")
    back = client.get(callback)
    assert back.status_code == 302
    assert back["Location"] == SENSITIVE
    assert client.get(SENSITIVE).status_code == 200
    events = Event.objects.filter(action=Action.PSC_REAUTH_SUCCEEDED, actor_id=str(psc_practitioner.pk))
    assert events.exists()


def test_it_refuses_someone_elses_card(
    client: Client, provider: OidcProvider, psc_practitioner: User, practitioner2: User
) -> None:
    psc_rpps_register(actor=None, actor_label="test", account=practitioner2, rpps=UNKNOWN_RPPS)
    log_in_verified(client, psc_practitioner)
    _stale(client)
    provider.next_login(national_id="8" + UNKNOWN_RPPS)
    response = client.get(provider_round_trip(client, f"/psc/reauthentification/?next={SENSITIVE}"))
    assert response.status_code == 400
    assert f'data-code="{Failure.OTHER_ACCOUNT.code}"' in response.content.decode()
    # Still the practitioner's session, and still not recent.
    assert client.session["_auth_user_id"] == str(psc_practitioner.pk)
    assert client.get(SENSITIVE).status_code == 302


def test_it_refuses_a_reauthentication_with_a_lower_acr(
    client: Client, provider: OidcProvider, psc_practitioner: User
) -> None:
    log_in_verified(client, psc_practitioner)
    _stale(client)
    provider.next_login(acr="eidas2")
    response = client.get(provider_round_trip(client, f"/psc/reauthentification/?next={SENSITIVE}"))
    assert f'data-code="{Failure.WRONG_ACR.code}"' in response.content.decode()
    assert client.get(SENSITIVE).status_code == 302
