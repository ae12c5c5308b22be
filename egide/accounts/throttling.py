"""Login throttling and temporary lockout (issue 5 item 4).

Two counters per attempt: one keyed by a digest of the typed username (whether or not the account
exists, so a lock reveals nothing) and one keyed by the source IP, with a higher ceiling because a
practice's staff often share one address. After ``PROGRESSIVE_DELAY_AFTER`` failures each further
attempt waits longer (1 s, 2 s, 4 s … up to ``PROGRESSIVE_DELAY_MAX_SECONDS``); at the ceiling the key
is locked for ``EGIDE_LOGIN_LOCK_MINUTES``. CNIL délibération 2022-100 case 2 counts on exactly
these measures ("temporisation", maximum number of attempts, blocking); the numbers themselves are
UNCONFIRMED, hence settings. A lock ends by time or by ``login_lock_clear`` (an administrator).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from egide.accounts.models import LoginThrottle, Role, User
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.core.errors import NotFound
from egide.core.net import client_ip

PROGRESSIVE_DELAY_AFTER = 3
PROGRESSIVE_DELAY_MAX_SECONDS = 60
LOCK_SUBJECT = "login-lock"
_DIGEST_SALT = "egide.accounts.throttling"


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is not even checked: the seconds to wait, and whether it is a lock."""

    wait_seconds: int
    locked: bool

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))


def account_key(username: str) -> str:
    # NFKC as Django's login form does, then casefold: a full-width "d", "Dr.Martin" and
    # "dr.martin" share one counter, so Unicode or case variants buy no extra attempts.
    canonical = unicodedata.normalize("NFKC", username).strip().casefold()
    return salted_hmac(_DIGEST_SALT, "account:" + canonical, algorithm="sha256").hexdigest()


def ip_key(ip: str) -> str:
    return salted_hmac(_DIGEST_SALT, "ip:" + ip, algorithm="sha256").hexdigest()


def source_ip(request: HttpRequest) -> str:
    return client_ip(request)


def _progressive_delay(failures: int) -> int:
    if failures < PROGRESSIVE_DELAY_AFTER:
        return 0
    return int(min(2 ** (failures - PROGRESSIVE_DELAY_AFTER), PROGRESSIVE_DELAY_MAX_SECONDS))


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def _refusal_of(row: LoginThrottle, now: datetime, *, progressive: bool) -> Refusal | None:
    if row.locked_until is not None and row.locked_until > now:
        return Refusal(math.ceil((row.locked_until - now).total_seconds()), locked=True)
    if row.locked_until is not None or now - row.last_failure_at > _window():
        return None  # the lock ended or the failures are old: the counter starts over on the next one
    if not progressive:
        return None
    ready_at = row.last_failure_at + timedelta(seconds=_progressive_delay(row.failures))
    if ready_at > now:
        return Refusal(math.ceil((ready_at - now).total_seconds()), locked=False)
    return None


def login_refusal(*, username: str, ip: str) -> Refusal | None:
    """Whether an attempt must be refused before any check (same work for every username)."""
    now = timezone.now()
    rows = {row.key: row for row in LoginThrottle.objects.filter(key__in=[account_key(username), ip_key(ip)])}
    refusals = [
        refusal
        for key, progressive in ((account_key(username), True), (ip_key(ip), False))
        if (row := rows.get(key)) is not None
        and (refusal := _refusal_of(row, now, progressive=progressive)) is not None
    ]
    return max(refusals, key=lambda refusal: refusal.wait_seconds, default=None)


def _count_failure(key: str, ceiling: int, now: datetime) -> bool:
    """Add one failure to ``key``; True when this failure locks it."""
    row, created = LoginThrottle.objects.select_for_update().get_or_create(
        key=key, defaults={"failures": 1, "last_failure_at": now}
    )
    if not created:
        expired = row.locked_until is not None and row.locked_until <= now
        row.failures = 1 if expired or now - row.last_failure_at > _window() else row.failures + 1
        row.locked_until = None if expired else row.locked_until
        row.last_failure_at = now
    locks = row.failures >= ceiling and row.locked_until is None
    if locks:
        row.locked_until = now + _window()
    row.save()
    return locks


def login_failure_record(*, username: str, ip: str, account: User | None = None) -> None:
    """Count a failed password or second-factor attempt; a lock it causes is audited.

    The failure itself is audited by Django's ``user_login_failed`` signal (egide.audit), or by
    the second-factor step.
    """
    now = timezone.now()
    with transaction.atomic():
        if _count_failure(account_key(username), settings.LOGIN_MAX_FAILURES, now):
            if account is None:
                # The same query whether or not the account exists.
                account = User.objects.filter(username=username).first()
            audit_record(
                action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, actor=account, subject_type=LOCK_SUBJECT
            )
        if _count_failure(ip_key(ip), settings.LOGIN_IP_MAX_FAILURES, now):
            audit_record(
                action=Action.LOGIN_FAILED,
                outcome=Outcome.DENIED,
                actor=None,
                actor_label="",
                subject_type=LOCK_SUBJECT,
                subject_id="ip",
            )


def login_success_record(*, username: str) -> None:
    """A complete login (password and second factor) clears the account's counter, not the IP's."""
    LoginThrottle.objects.filter(key=account_key(username)).delete()


def login_throttles_purge() -> int:
    """Forget counters whose failures are old and whose lock has ended; returns how many."""
    now = timezone.now()
    stale = LoginThrottle.objects.filter(last_failure_at__lt=now - _window()).exclude(locked_until__gt=now)
    deleted, _rows = stale.delete()
    return deleted


def login_locks(*, usernames: list[str]) -> dict[str, datetime]:
    """Which of these accounts are locked now, and until when (the administrator's list)."""
    keys = {account_key(username): username for username in usernames}
    rows = LoginThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now())
    return {keys[row.key]: row.locked_until for row in rows if row.locked_until is not None}


def login_lock_clear(*, actor: User, username: str) -> bool:
    """Unlock an account of the administrator's own practice before the delay ends.

    True if it was locked. Another practice's account, or a missing one, is ``NotFound``.
    """
    target = User.objects.filter(username=username, practice_id=actor.practice_id).first()
    if target is None or Role.ADMIN not in actor.role_set():
        raise NotFound
    with transaction.atomic():
        deleted, _rows = LoginThrottle.objects.filter(key=account_key(username)).delete()
        if deleted:
            audit_record(
                action=Action.ACCOUNT_CHANGED, actor=actor, subject_type=LOCK_SUBJECT, subject_id=target.pk
            )
    return bool(deleted)
