"""API tokens (issue 5 item 9): prefixed, stored hashed, scoped, bound to an account and its practice,
shown once, revocable, last use recorded.

The value is ``egd_`` and 256 random bits (43 URL-safe characters). Only its SHA-256 is stored. A
plain hash, rather than an HMAC under the keyring's TOKEN_HASH purpose key, because:

- 256 random bits cannot be guessed from the digest, so a key adds nothing against a stolen
  database (a key matters for low-entropy secrets such as passwords or NIRs);
- tokens keep working while the master key is sealed (the watch agent must report even then) and
  across root-key rotations, which an HMAC would tie them to.

The row is found by its prefix, then the digest is compared in constant time (STYLE.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.accounts.models import ApiToken, TokenScope, User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Invalid, NotFound

TOKEN_PREFIX = "egd_"  # noqa: S105  (a public marker, not a secret)
TOKEN_RANDOM_BYTES = 32  # 256 bits
LOOKUP_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
NAME_MAX_LENGTH = 100
# Recording every use would write on every API call; once a minute tells enough (issue 5 item 9).
LAST_USE_PRECISION = timedelta(minutes=1)

READ_SCOPES = frozenset({TokenScope.READ, TokenScope.READ_WRITE})
WRITE_SCOPES = frozenset({TokenScope.READ_WRITE})


def token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def token_create(
    *, user: User, name: str, scope: TokenScope, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of ``user`` for their practice; returns the row and the value, which is never
    kept and cannot be shown again."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name (what it is for).")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("The name is too long (100 characters at most).")]
    if scope not in TokenScope.values:
        errors["scope"] = [_("Choose a scope: read, read-write or agent.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry date must be in the future.")]
    if errors:
        raise Invalid(fields=errors)
    value = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            practice_id=user.practice_id,
            name=name,
            scope=TokenScope(scope),
            prefix=value[:LOOKUP_PREFIX_LENGTH],
            digest=token_digest(value),
            expires_at=expires_at,
        )
        audit_record(action=Action.TOKEN_CREATED, actor=user, subject_type="api_token", subject_id=token.id)
    return token, value


def token_revoke(*, user: User, token_id: uuid.UUID) -> None:
    """Revoke one of ``user``'s own tokens; someone else's answers as a missing one."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(id=token_id, user=user).first()
        if token is None:
            raise NotFound
        if token.revoked_at is not None:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=Action.TOKEN_REVOKED, actor=user, subject_type="api_token", subject_id=token.id)


def tokens_revoke_all(*, actor: User, user: User) -> int:
    """Revoke every live token of ``user`` (their departure, decided by ``actor``, whom the caller
    has authorised); each revocation audited. Returns how many were revoked."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit_record(
                action=Action.TOKEN_REVOKED,
                actor=actor,
                practice_id=token.practice_id,
                subject_type="api_token",
                subject_id=token.id,
            )
    return len(tokens)


def token_list_for_user(*, user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user))


def token_authenticate(value: str, *, ip: str) -> ApiToken | None:
    """The live token whose value is ``value`` (its account active and still in the token's
    practice), with its last use recorded; None for anything else."""
    if not value.startswith(TOKEN_PREFIX) or len(value) < LOOKUP_PREFIX_LENGTH:
        return None
    digest = token_digest(value)
    now = timezone.now()
    found = None
    for candidate in ApiToken.objects.filter(prefix=value[:LOOKUP_PREFIX_LENGTH]).select_related("user"):
        if hmac.compare_digest(candidate.digest, digest):
            found = candidate
    if (
        found is None
        or found.revoked_at is not None
        or (found.expires_at is not None and found.expires_at <= now)
        or not found.user.is_active
        or found.user.practice_id != found.practice_id
    ):
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USE_PRECISION:
        # Conditional, so concurrent requests write once.
        stale = now - LAST_USE_PRECISION
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), id=found.id).update(
            last_used_at=now, last_used_ip=ip or None
        )
        found.last_used_at, found.last_used_ip = now, ip or None
    return found
