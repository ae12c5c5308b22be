"""Sessions, the team pages and invitations in the authorisation matrix (see
egide/core/tests/access_matrix.py).

"Mes sessions" is one's own: every logged-in persona. The team pages are the administrator's, for the
accounts of their own practice only; another practice's account is refused as a missing one. The
invitation page is open to anyone holding a live link. Destructive rows act on a fresh account.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from egide.accounts.models import Role, User
from egide.accounts.services import password_generate, user_create
from egide.core.tests.access_matrix import EVERYONE, NOBODY, STAFF, Call, Row, personas
from egide.staff.services import InviteMethod, account_depart, account_invite
from egide.staff.sessions import session_record_open

ADMIN = personas("admin_user")
NEW_PASSWORD = "Glycine-42-Rue-Haute!"


def _fresh(call: Call, *, practice_of: str = "admin_user") -> User:
    return user_create(
        practice=call.world.users[practice_of].practice,
        username=f"matrice.{uuid.uuid4().hex[:12]}",
        password=password_generate(),
        roles=[Role.SECRETARIAT],
        must_change_password=False,
    )


def _open_session(owner: User) -> uuid.UUID:
    record = session_record_open(user=owner, session_key=uuid.uuid4().hex, user_agent="", ip="")
    return record.id


def _own_other_session(call: Call) -> Mapping[str, object]:
    return {"session_id": _open_session(call.user or call.world.users["practitioner"])}


def _someone_elses_session(call: Call) -> Mapping[str, object]:
    other = "practitioner2" if call.persona == "practitioner" else "practitioner"
    return {"session_id": _open_session(call.world.users[other])}


def _colleague(call: Call) -> Mapping[str, object]:
    return {"user_id": call.world.users["secretary"].pk}


def _foreign_account(call: Call) -> Mapping[str, object]:
    return {"user_id": call.world.users["outsider"].pk}


def _fresh_account(call: Call) -> Mapping[str, object]:
    return {"user_id": _fresh(call).pk}


def _departed_account(call: Call) -> Mapping[str, object]:
    victim = _fresh(call)
    account_depart(actor=call.world.users["admin_user"], user_id=victim.pk)
    return {"user_id": victim.pk}


def _fresh_account_session(call: Call) -> Mapping[str, object]:
    victim = _fresh(call)
    return {"user_id": victim.pk, "session_id": _open_session(victim)}


def _invitation(call: Call) -> Mapping[str, object]:
    result = account_invite(
        actor=call.world.users["admin_user"],
        username=f"invite.{uuid.uuid4().hex[:12]}",
        roles=[Role.SECRETARIAT],
        method=InviteMethod.LINK,
    )
    return {"token": result.invitation_token}


def _awaiting_account(call: Call) -> Mapping[str, object]:
    victim = _fresh(call)
    victim.set_unusable_password()
    victim.save(update_fields=["password"])
    return {"user_id": victim.pk}


def _invitee(call: Call) -> Mapping[str, object]:
    return {"username": f"invite.{call.persona}", "roles": [Role.SECRETARIAT.value], "method": "link"}


ROWS = [
    Row("staff:my_sessions", allowed=STAFF),
    Row(
        "staff:my_session_end",
        "POST",
        allowed=STAFF,
        args=_own_other_session,
        ok={302},
        redirect="/compte/sessions/",
        label="own session",
    ),
    Row(
        "staff:my_session_end", "POST", allowed=NOBODY, args=_someone_elses_session, label="another's session"
    ),
    Row("staff:my_sessions_end_others", "POST", allowed=STAFF, ok={302}, redirect="/compte/sessions/"),
    Row("staff:team", allowed=ADMIN),
    Row("staff:invite", allowed=ADMIN),
    Row("staff:invite", "POST", allowed=ADMIN, data=_invitee),
    Row("staff:member", allowed=ADMIN, args=_colleague, label="same practice"),
    Row("staff:member", allowed=NOBODY, args=_foreign_account, label="other practice"),
    Row("staff:member_invitation_renew", allowed=ADMIN, args=_colleague),
    Row(
        "staff:member_invitation_renew", "POST", allowed=ADMIN, args=_awaiting_account, label="same practice"
    ),
    Row(
        "staff:member_invitation_renew", "POST", allowed=NOBODY, args=_foreign_account, label="other practice"
    ),
    Row("staff:member_roles", allowed=ADMIN, args=_colleague),
    Row(
        "staff:member_roles",
        "POST",
        allowed=ADMIN,
        args=_fresh_account,
        data={"roles": [Role.SECRETARIAT.value, Role.DPO.value]},
        ok={302},
        redirect="/equipe/",
        label="same practice",
    ),
    Row(
        "staff:member_roles",
        "POST",
        allowed=NOBODY,
        args=_foreign_account,
        data={"roles": [Role.ADMIN.value]},
        label="other practice",
    ),
    Row("staff:member_depart", allowed=ADMIN, args=_colleague),
    Row(
        "staff:member_depart",
        "POST",
        allowed=ADMIN,
        args=_fresh_account,
        ok={302},
        redirect="/equipe/",
        label="same practice",
    ),
    Row("staff:member_depart", "POST", allowed=NOBODY, args=_foreign_account, label="other practice"),
    Row("staff:member_reactivate", allowed=ADMIN, args=_departed_account),
    Row(
        "staff:member_reactivate",
        "POST",
        allowed=ADMIN,
        args=_departed_account,
        ok={302},
        redirect="/equipe/",
    ),
    Row(
        "staff:member_unlock",
        "POST",
        allowed=ADMIN,
        args=_colleague,
        ok={302},
        redirect="/equipe/",
        label="same practice",
    ),
    Row("staff:member_unlock", "POST", allowed=NOBODY, args=_foreign_account, label="other practice"),
    Row(
        "staff:member_sessions_end", "POST", allowed=ADMIN, args=_fresh_account, ok={302}, redirect="/equipe/"
    ),
    Row(
        "staff:member_session_end",
        "POST",
        allowed=ADMIN,
        args=_fresh_account_session,
        ok={302},
        redirect="/equipe/",
    ),
    # A live invitation link opens for anyone who holds it (the invited person is not logged in).
    Row("staff:invitation", allowed=EVERYONE, args=_invitation),
    Row(
        "staff:invitation",
        "POST",
        allowed=EVERYONE,
        args=_invitation,
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ok={302},
        redirect="/connexion/",
    ),
]
