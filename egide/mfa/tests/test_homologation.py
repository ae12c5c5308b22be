"""The practice records which second-factor means it approved (who, when, reference of its decision);
enrolment offers only those; the admin page lists every account's means and whether it complies."""

from __future__ import annotations

import pytest
from django.test import Client

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import user_create
from egide.accounts.tests.logins import log_in_verified, totp_device_for
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.mfa.models import Means, MeansDecision
from egide.mfa.tests.authenticator import SoftAuthenticator
from egide.mfa.tests.conftest import passkey_registered, shows

DECIDE = "/second-facteur/homologation/decision/"
PAGE = "/second-facteur/homologation/"


def _withdraw_totp(client: Client) -> None:
    response = client.post(
        DECIDE,
        {"means": "totp", "decision": "withdraw", "reference": "Comité sécurité du 12/03/2026, PV n° 4"},
    )
    assert response["Location"] == PAGE


def test_every_means_is_approved_by_default_and_each_account_is_listed(
    client: Client, admin_user: User, practitioner: User, secretary: User, outsider: User
) -> None:
    totp_device_for(practitioner)
    log_in_verified(client, admin_user)

    page = client.get(PAGE)

    assert [state.approved for state in page.context["states"]] == [True, True, True, True]
    rows = {row.user.username: row for row in page.context["accounts"]}
    assert "dr.port" not in rows  # another practice's account
    assert rows["dr.martin"].totp and rows["dr.martin"].compliant
    assert not rows["sec.leroy"].totp and not rows["sec.leroy"].compliant
    assert shows(page, "Approved by default")


def test_withdrawing_totp_is_recorded_with_its_reference_and_flags_the_accounts_relying_on_it(
    client: Client, local_client: Client, admin_user: User, practitioner: User, practitioner2: User
) -> None:
    totp_device_for(practitioner)
    totp_device_for(practitioner2)
    passkey_registered(local_client, practitioner2, SoftAuthenticator())
    log_in_verified(client, admin_user)
    warning = client.get(f"{DECIDE}?means=totp&decision=withdraw")
    assert 'data-testid="totp-warning"' in warning.content.decode()

    _withdraw_totp(client)

    decision = MeansDecision.objects.get()
    assert decision.means == Means.TOTP and not decision.approved
    assert decision.decided_by == admin_user and decision.reference.startswith("Comité sécurité")
    event = Event.objects.get(action=Action.MEANS_WITHDRAWN)
    assert event.subject_id == "totp" and event.actor_id == str(admin_user.pk)
    page = client.get(PAGE)
    assert "Comité sécurité du 12/03/2026" in page.content.decode()
    rows = {row.user.username: row for row in page.context["accounts"]}
    assert not rows["dr.martin"].compliant
    assert rows["dr.bernard"].compliant and rows["dr.bernard"].passkeys == 1


@pytest.mark.usefixtures("keys")
def test_enrolment_offers_only_the_approved_means(
    client: Client, local_client: Client, admin_user: User, practice: Practice
) -> None:
    log_in_verified(client, admin_user)
    _withdraw_totp(client)
    user_create(
        practice=practice,
        username="dr.neuve",
        password=PERSONA_PASSWORD,
        roles=[Role.PRATICIEN],
        must_change_password=False,
    )
    local_client.post("/connexion/", {"username": "dr.neuve", "password": PERSONA_PASSWORD})

    page = local_client.get("/connexion/activation/")

    assert 'class="qr"' not in page.content.decode()
    assert page.context["passkey_options"] is not None


def test_the_last_means_to_enrol_with_cannot_be_withdrawn(client: Client, admin_user: User) -> None:
    log_in_verified(client, admin_user)
    _withdraw_totp(client)

    refused = client.post(DECIDE, {"means": "passkey", "decision": "withdraw", "reference": "PV n° 5"})

    assert refused.status_code == 400
    assert shows(
        refused,
        "Keep at least one of the authenticator application and passkeys approved: "
        "otherwise new accounts could not activate a second factor.",
    )
    assert not MeansDecision.objects.filter(means=Means.PASSKEY).exists()


def test_a_decision_needs_its_reference(client: Client, admin_user: User) -> None:
    log_in_verified(client, admin_user)
    refused = client.post(DECIDE, {"means": "totp", "decision": "withdraw", "reference": "  "})
    assert refused.status_code == 400
    assert not MeansDecision.objects.exists()


def test_only_the_administrator_sees_and_decides(
    client: Client, practitioner: User, secretary: User, dpo: User
) -> None:
    for person in (practitioner, secretary, dpo):
        log_in_verified(client, person)
        assert client.get(PAGE).status_code == 404
        assert (
            client.post(DECIDE, {"means": "totp", "decision": "withdraw", "reference": "x"}).status_code
            == 404
        )
    assert not MeansDecision.objects.exists()
