"""Login, second factor, re-authentication and API tokens in the authorisation matrix (see
egide/core/tests/access_matrix.py). Every page past the login is one's own: each logged-in persona."""

from __future__ import annotations

from collections.abc import Mapping

from egide.accounts.models import TokenScope
from egide.accounts.tokens import token_create
from egide.core.tests.access_matrix import EVERYONE, NOBODY, STAFF, Call, Row


def _wrong_login(call: Call) -> Mapping[str, object]:
    # One typed name per persona: throttling counts failures per name (and slows the next ones).
    return {"username": f"inconnu.{call.persona}", "password": "Mauvais-mot-de-passe-42"}


def _own_token(call: Call) -> Mapping[str, object]:
    owner = call.user or call.world.users["practitioner"]
    token, _value = token_create(user=owner, name="À révoquer", scope=TokenScope.READ)
    return {"token_id": token.id}


def _someone_elses_token(call: Call) -> Mapping[str, object]:
    other = "practitioner2" if call.persona == "practitioner" else "practitioner"
    token, _value = token_create(user=call.world.users[other], name="D'un autre", scope=TokenScope.READ)
    return {"token_id": token.id}


ROWS = [
    # A logged-in person asking for the login page is sent on to the dashboard.
    Row("accounts:login", allowed=EVERYONE, ok={200, 302}),
    Row("accounts:login", "POST", allowed=EVERYONE, data=_wrong_login, label="wrong password"),
    Row("accounts:second_factor", allowed=STAFF),
    # Once a second factor is held, enrolment sends on to the dashboard.
    Row("accounts:totp_enrol", allowed=STAFF, ok={200, 302}),
    Row("accounts:password_change", allowed=STAFF),
    Row("accounts:reauthenticate", allowed=STAFF),
    Row("accounts:recovery_codes", allowed=STAFF),
    Row("accounts:api_tokens", allowed=STAFF),
    Row("accounts:api_token_create", allowed=STAFF),
    Row(
        "accounts:api_token_create",
        "POST",
        allowed=STAFF,
        data={"name": "Intégration", "scope": TokenScope.READ.value, "expires_on": ""},
    ),
    Row(
        "accounts:api_token_revoke",
        "POST",
        allowed=STAFF,
        args=_own_token,
        ok={302},
        redirect="/compte/jetons/",
        label="own token",
    ),
    Row(
        "accounts:api_token_revoke",
        "POST",
        allowed=NOBODY,
        args=_someone_elses_token,
        label="another's token",
    ),
    Row("accounts:logout", "POST", allowed=EVERYONE, ok={302}, redirect="/connexion/"),
]
