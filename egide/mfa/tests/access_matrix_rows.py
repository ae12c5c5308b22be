"""One's own second factor and the practice's approved means in the authorisation matrix (see
egide/core/tests/access_matrix.py). Every persona reaches only their own passkeys; the approved
means and each account's means are the administrator's."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from egide.accounts.models import User
from egide.core.tests.access_matrix import NOBODY, STAFF, Call, Row, personas
from egide.mfa.models import PasskeyDevice

ADMIN = personas("admin_user")


def _passkey_of(user: User) -> PasskeyDevice:
    # Public material only; it never has to verify anything here.
    passkey: PasskeyDevice = PasskeyDevice.objects.create(
        user=user,
        name="Clé de la matrice",
        confirmed=True,
        credential_id=secrets.token_urlsafe(32),
        public_key=b"\xa0",
    )
    return passkey


def _own_passkey(call: Call) -> Mapping[str, object]:
    return {"passkey_id": _passkey_of(call.user or call.world.users["practitioner"]).pk}


def _own_passkey_among_two(call: Call) -> Mapping[str, object]:
    owner = call.user or call.world.users["practitioner"]
    _passkey_of(owner)  # so that removing one still leaves a second factor
    return {"passkey_id": _passkey_of(owner).pk}


def _someone_elses_passkey(call: Call) -> Mapping[str, object]:
    other = "practitioner2" if call.persona == "practitioner" else "practitioner"
    return {"passkey_id": _passkey_of(call.world.users[other]).pk}


ROWS = [
    Row("mfa:account", allowed=STAFF),
    Row("mfa:passkey_add", allowed=STAFF),
    Row(
        "mfa:passkey_add",
        "POST",
        allowed=STAFF,
        data={"name": "Clé", "credential": "{}"},
        ok={400},
        label="an answer that does not verify",
    ),
    Row(
        "mfa:passkey_rename",
        "POST",
        allowed=STAFF,
        args=_own_passkey,
        data={"name": "Clé rouge"},
        ok={302},
        redirect="/second-facteur/",
        label="own passkey",
    ),
    Row(
        "mfa:passkey_rename",
        "POST",
        allowed=NOBODY,
        args=_someone_elses_passkey,
        data={"name": "Clé volée"},
        label="another's passkey",
    ),
    Row("mfa:passkey_remove", allowed=STAFF, args=_own_passkey, label="own passkey"),
    Row(
        "mfa:passkey_remove",
        "POST",
        allowed=STAFF,
        args=_own_passkey_among_two,
        ok={302},
        redirect="/second-facteur/",
        label="own passkey",
    ),
    Row("mfa:passkey_remove", allowed=NOBODY, args=_someone_elses_passkey, label="another's passkey"),
    Row(
        "mfa:passkey_remove",
        "POST",
        allowed=NOBODY,
        args=_someone_elses_passkey,
        label="another's passkey",
    ),
    Row("mfa:totp_replace", allowed=STAFF),
    Row("mfa:homologation", allowed=ADMIN),
    Row("mfa:means_decide", allowed=ADMIN),
    Row(
        "mfa:means_decide",
        "POST",
        allowed=ADMIN,
        data={"means": "passkey", "decision": "approve", "reference": "Comité sécurité, PV n° 4"},
        ok={302},
        redirect="/second-facteur/homologation/",
    ),
]
