"""Every write on practices and staff accounts."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.accounts.models import Practice, Role, RoleAssignment, User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Invalid

# 18 letters and digits: 107 bits, above the 80 bits of CNIL délibération 2022-100 case 1.
GENERATED_PASSWORD_LENGTH = 18
GENERATED_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def password_generate() -> str:
    return "".join(
        secrets.choice(GENERATED_PASSWORD_ALPHABET) for _position in range(GENERATED_PASSWORD_LENGTH)
    )


def _validated(instance: Practice | User, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise Invalid(
            fields={field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        ) from None


def practice_create(
    *,
    name: str,
    siren: str = "",
    address: str = "",
    dpo_name: str = "",
    dpo_email: str = "",
    dpo_phone: str = "",
    actor_label: str = "egide init",
) -> Practice:
    """Create a practice; recorded in the journal (configuration change)."""
    practice = Practice(
        name=name.strip(),
        siren=siren.replace(" ", ""),
        address=address.strip(),
        dpo_name=dpo_name.strip(),
        dpo_email=dpo_email.strip(),
        dpo_phone=dpo_phone.strip(),
    )
    _validated(practice)
    with transaction.atomic():
        practice.save(force_insert=True)
        audit_record(
            action=Action.PRACTICE_CHANGED,
            actor_label=actor_label,
            practice_id=practice.id,
            subject_type="practice",
            subject_id=practice.id,
        )
    return practice


def user_create(
    *,
    practice: Practice,
    username: str,
    password: str,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    must_change_password: bool = True,
    actor: User | None = None,
) -> User:
    """Create a staff account of ``practice`` holding ``roles``; the account and each role are
    recorded in the journal (by ``actor``, or by the installation command when None).

    The password was chosen by someone else (`egide init`, `egide demo`, an administrator), so by
    default it is temporary: the person replaces it at first login (CNIL délibération 2022-100).
    """
    role_list = sorted(set(roles))
    if not role_list:
        raise Invalid(fields={"roles": [_("Choose at least one role.")]})
    user = User(
        practice=practice,
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        must_change_password=must_change_password,
    )
    _validated(user, exclude=["password"])
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(fields={"password": list(exc.messages)}) from None
    user.set_password(password)
    with transaction.atomic():
        user.save(force_insert=True)
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in role_list)
        label = None if actor else "egide init"
        audit_record(
            action=Action.ACCOUNT_CREATED,
            actor=actor,
            actor_label=label,
            practice_id=practice.id,
            subject_type="account",
            subject_id=user.pk,
        )
        for role in role_list:
            audit_record(
                action=Action.ROLE_GRANTED,
                actor=actor,
                actor_label=label,
                practice_id=practice.id,
                subject_type="account-role",
                subject_id=f"{user.pk}/{role}",
            )
    return user


def password_change(*, user: User, new_password: str) -> None:
    """The person replaces their own password (already checked by the validators); audited."""
    user.set_password(new_password)
    user.must_change_password = False
    with transaction.atomic():
        user.save(update_fields=["password", "must_change_password"])
        audit_record(action=Action.ACCOUNT_CHANGED, actor=user, subject_type="password", subject_id=user.pk)


def sessions_purge_expired() -> int:
    """Delete server-side sessions past their expiry; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
