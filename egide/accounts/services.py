"""Every write on practices and staff accounts."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.accounts.models import Practice, Role, RoleAssignment, User
from egide.core.errors import Invalid

# 18 URL-safe characters: 108 bits, above the 80 bits of CNIL délibération 2022-100 case 1.
GENERATED_PASSWORD_BYTES = 14


def password_generate() -> str:
    return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)


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
) -> Practice:
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
) -> User:
    """Create a staff account of ``practice`` holding ``roles``."""
    role_list = sorted(set(roles))
    if not role_list:
        raise Invalid(fields={"roles": [_("Choose at least one role.")]})
    user = User(
        practice=practice,
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.set_password(password)
    _validated(user)
    with transaction.atomic():
        user.save(force_insert=True)
        RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=role) for role in role_list)
    return user


def sessions_purge_expired() -> int:
    """Delete server-side sessions past their expiry; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
