"""The account lifecycle (issue 5 item 10): invitation, change of roles, departure and return,
dormant accounts, and the administrator's unlock (item 4).

An administrator acts only inside their own practice: another practice's account answers as a
missing one (DESIGN.md "Access control"). Every change is in the journal, in its own transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from egide.accounts.models import Practice, Role, RoleAssignment, User
from egide.accounts.services import password_change, password_generate, user_create
from egide.accounts.throttling import login_lock_clear
from egide.accounts.tokens import token_digest, tokens_revoke_all
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Conflict, Invalid, NotFound
from egide.staff.models import AccountStatus, Invitation
from egide.staff.sessions import sessions_end_all

INVITATION_TOKEN_BYTES = 32  # 256 bits: the link cannot be guessed
ACCOUNT_SUBJECT = "account"
WORKER_LABEL = "egide worker"


class InviteMethod(models.TextChoices):
    LINK = "link", gettext_lazy("An invitation link (the person chooses their password)")
    TEMPORARY_PASSWORD = "password", gettext_lazy("A temporary password, to change at first login")


@dataclass(frozen=True)
class InviteResult:
    """What the administrator hands over, shown once: the link's token or the temporary password."""

    user: User
    invitation_token: str = ""
    temporary_password: str = ""


def _require_admin(actor: User) -> None:
    if Role.ADMIN not in actor.role_set():
        raise NotFound


def account_of_practice(*, actor: User, user_id: uuid.UUID | str) -> User:
    """An account of the administrator's own practice; anything else is ``NotFound``."""
    _require_admin(actor)
    try:
        target = User.objects.filter(id=user_id, practice_id=actor.practice_id).first()
    except ValidationError:  # not a UUID
        target = None
    if target is None:
        raise NotFound
    return target


def _lock_practice(practice_id: uuid.UUID) -> None:
    """Serialise the changes that count administrators (two admins demoting each other at once)."""
    Practice.objects.select_for_update().filter(pk=practice_id).first()


def _active_admins(practice_id: uuid.UUID) -> int:
    return (
        User.objects.filter(practice_id=practice_id, is_active=True, role_assignments__role=Role.ADMIN)
        .distinct()
        .count()
    )


LAST_ADMIN_MESSAGE = gettext_lazy(
    "This is the practice’s last active administrator: give the administrator role to someone "
    "else first. Nothing was changed."
)


def account_invite(
    *,
    actor: User,
    username: str,
    roles: Iterable[Role],
    method: InviteMethod,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> InviteResult:
    """Create an account of the administrator's practice with ``roles``.

    With a link, the account has no usable password until the person opens the link (once, within
    EGIDE_INVITATION_HOURS) and chooses one. With a temporary password, the person must replace it
    at first login. Either way the second factor is enrolled at first login.
    """
    _require_admin(actor)
    if method not in InviteMethod.values:
        raise Invalid(fields={"method": [_("Choose how the person receives their access.")]})
    temporary = password_generate()
    if User.objects.filter(username=username.strip()).exists():
        # Usernames are unique across the installation; say so without naming the other practice.
        raise Invalid(fields={"username": [_("This username is already taken. Choose another one.")]})
    with transaction.atomic():
        user = user_create(
            practice=actor.practice,
            username=username,
            password=temporary,
            roles=roles,
            first_name=first_name,
            last_name=last_name,
            email=email,
            must_change_password=True,
            actor=actor,
        )
        if method == InviteMethod.TEMPORARY_PASSWORD:
            return InviteResult(user=user, temporary_password=temporary)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        token = _invitation_create(actor=actor, user=user)
    return InviteResult(user=user, invitation_token=token)


def _invitation_create(*, actor: User, user: User) -> str:
    """A new link for ``user`` (the older ones stop working); returns its token, never stored."""
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    invitation = Invitation.objects.create(
        user=user,
        digest=token_digest(token),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=settings.INVITATION_HOURS),
    )
    audit_record(
        action=Action.INVITATION_CREATED, actor=actor, subject_type="invitation", subject_id=invitation.id
    )
    return token


def invitation_renew(*, actor: User, user_id: uuid.UUID | str) -> str:
    """A new invitation link for an invited person who has not chosen a password yet (the first
    one expired or was lost); the older links stop working. Returns the new link's token."""
    with transaction.atomic():
        target = account_of_practice(actor=actor, user_id=user_id)
        if target.has_usable_password() or not target.is_active:
            raise Conflict(
                _(
                    "This person has already chosen a password, or the account is disabled: no new "
                    "link is needed."
                )
            )
        return _invitation_create(actor=actor, user=target)


def _valid_invitation(token: str, *, for_update: bool = False) -> Invitation:
    invitations = Invitation.objects.select_related("user")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(digest=token_digest(token)).first()
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= timezone.now()
        or not invitation.user.is_active
    ):
        raise NotFound(
            _(
                "This invitation link is not valid: it was already used, it expired, or it was "
                "mistyped. Ask your administrator for a new one."
            )
        )
    return invitation


def invitation_get(*, token: str) -> Invitation:
    """The invitation of a link still usable; ``NotFound`` (with a French explanation) otherwise."""
    return _valid_invitation(token)


def invitation_accept(*, token: str, new_password: str) -> User:
    """The invited person chooses their password; the link then stops working."""
    with transaction.atomic():
        invitation = _valid_invitation(token, for_update=True)
        user = invitation.user
        try:
            password_validation.validate_password(new_password, user)
        except ValidationError as exc:
            raise Invalid(fields={"new_password1": list(exc.messages)}) from None
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        password_change(user=user, new_password=new_password)
        audit_record(
            action=Action.INVITATION_ACCEPTED, actor=user, subject_type="invitation", subject_id=invitation.id
        )
    return user


def roles_change(*, actor: User, user_id: uuid.UUID | str, roles: Iterable[Role]) -> None:
    """Give ``user_id`` exactly ``roles``; each role granted or revoked is in the journal.

    The practice keeps at least one active administrator (``Conflict`` otherwise). The view asks
    for a recent re-authentication (DESIGN.md "Access control": role changes).
    """
    wanted = set(roles)
    if not wanted:
        raise Invalid(fields={"roles": [_("Choose at least one role.")]})
    with transaction.atomic():
        target = account_of_practice(actor=actor, user_id=user_id)
        _lock_practice(target.practice_id)
        current = target.role_set()
        if (
            Role.ADMIN in current
            and Role.ADMIN not in wanted
            and target.is_active
            and _active_admins(target.practice_id) <= 1
        ):
            raise Conflict(LAST_ADMIN_MESSAGE)
        for role in sorted(wanted - current):
            RoleAssignment.objects.create(user=target, role=role)
            audit_record(
                action=Action.ROLE_GRANTED,
                actor=actor,
                subject_type="account-role",
                subject_id=f"{target.pk}/{role}",
            )
        for role in sorted(current - wanted):
            RoleAssignment.objects.filter(user=target, role=role).delete()
            audit_record(
                action=Action.ROLE_REVOKED,
                actor=actor,
                subject_type="account-role",
                subject_id=f"{target.pk}/{role}",
            )


def _status(user: User) -> AccountStatus:
    status, _created = AccountStatus.objects.get_or_create(user=user)
    return status


def account_depart(*, actor: User, user_id: uuid.UUID | str) -> None:
    """Someone leaves the practice: the account is disabled (it cannot log in), all its sessions
    end, its API tokens are revoked. The account and its trail stay; ``account_reactivate`` undoes it.
    """
    with transaction.atomic():
        target = account_of_practice(actor=actor, user_id=user_id)
        if target.pk == actor.pk:
            raise Conflict(_("You cannot disable your own account: ask another administrator."))
        _lock_practice(target.practice_id)
        if not target.is_active:
            return
        if Role.ADMIN in target.role_set() and _active_admins(target.practice_id) <= 1:
            raise Conflict(LAST_ADMIN_MESSAGE)
        target.is_active = False
        target.save(update_fields=["is_active"])
        status = _status(target)
        status.departed_at = timezone.now()
        status.save(update_fields=["departed_at"])
        audit_record(
            action=Action.ACCOUNT_DEACTIVATED, actor=actor, subject_type=ACCOUNT_SUBJECT, subject_id=target.pk
        )
        tokens_revoke_all(actor=actor, user=target)
        sessions_end_all(actor=actor, owner=target)


def account_reactivate(*, actor: User, user_id: uuid.UUID | str) -> None:
    """A departed person comes back: the account logs in again (with its password and second
    factor); revoked tokens stay revoked."""
    with transaction.atomic():
        target = account_of_practice(actor=actor, user_id=user_id)
        if target.is_active:
            return
        target.is_active = True
        target.save(update_fields=["is_active"])
        status = _status(target)
        status.departed_at = None
        status.reactivated_at = timezone.now()
        status.dormant_since = None
        status.save(update_fields=["departed_at", "reactivated_at", "dormant_since"])
        audit_record(
            action=Action.ACCOUNT_REACTIVATED, actor=actor, subject_type=ACCOUNT_SUBJECT, subject_id=target.pk
        )


def account_unlock(*, actor: User, user_id: uuid.UUID | str) -> bool:
    """End a login lock before its delay (issue 5 item 4); True if the account was locked."""
    target = account_of_practice(actor=actor, user_id=user_id)
    return login_lock_clear(actor=actor, username=target.username)


def accounts_flag_dormant() -> int:
    """Flag the active accounts without a login for EGIDE_DORMANT_DAYS (each flag in the journal)
    and clear the flag of those used again; returns how many were newly flagged.

    90 days is the issue's figure; regulatory-facts.md has no CNIL text setting one, hence a setting.
    Activity is the last login, or the creation or reactivation of an account never used since.
    """
    now = timezone.now()
    threshold = now - timedelta(days=settings.DORMANT_DAYS)
    flagged = 0
    for user in User.objects.filter(is_active=True).select_related("staff_status").order_by("pk"):
        status = getattr(user, "staff_status", None)
        activity = [user.last_login or user.date_joined]
        if status is not None and status.reactivated_at is not None:
            activity.append(status.reactivated_at)
        dormant = max(activity) < threshold
        flagged_already = status is not None and status.dormant_since is not None
        if dormant == flagged_already:
            continue
        with transaction.atomic():
            status = _status(user)
            status.dormant_since = now if dormant else None
            status.save(update_fields=["dormant_since"])
            if dormant:
                audit_record(
                    action=Action.ACCOUNT_DORMANT,
                    actor_label=WORKER_LABEL,
                    practice_id=user.practice_id,
                    subject_type=ACCOUNT_SUBJECT,
                    subject_id=user.pk,
                )
                flagged += 1
    return flagged
