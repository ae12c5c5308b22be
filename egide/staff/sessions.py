"""Sessions of staff accounts (issue 5 item 5): a record per session, an absolute lifetime on top of
the idle timeout, and ending sessions — one's own, or (an administrator) those of the practice.

A record is named by a SHA-256 of the session key: the key is a bearer secret and must not be
copied. Ending a session deletes its record and Django's session row; the middleware also logs out
any session whose record is gone, so an ended session never comes back, whatever the session engine.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from egide.accounts.models import Role, User
from egide.accounts.tokens import token_digest
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import NotFound
from egide.staff.models import SessionRecord

# The session data entry naming the record (kept when Django cycles the session key).
SESSION_RECORD_KEY = "egide_session_record"
# Writing "last seen" on every request would double the writes; once a minute tells enough.
LAST_SEEN_PRECISION = timedelta(minutes=1)
SESSION_SUBJECT = "session"

# Coarse on purpose: enough for a person to recognise "the reception computer", not a fingerprint.
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
_UNKNOWN = "?"


# Session keys, like API tokens, are long random secrets: a plain SHA-256 is the right digest
# (egide/accounts/tokens.py says why).
session_key_hash = token_digest


def device_label(user_agent: str) -> str:
    """ "Firefox · Windows" from a user agent; "?" for what is not recognised."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), _UNKNOWN)
    system = next((name for marker, name in _SYSTEMS if re.search(re.escape(marker), user_agent)), _UNKNOWN)
    return f"{browser} · {system}"


def _oldest_live(now: datetime) -> tuple[datetime, datetime]:
    """Records last seen before the first, or created before the second, are sessions that died."""
    return (
        now - timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        now - timedelta(hours=settings.SESSION_MAX_HOURS),
    )


def session_expired(record: SessionRecord, *, now: datetime) -> bool:
    """Past the absolute lifetime (EGIDE_SESSION_MAX_HOURS), however active the session was."""
    return record.created_at <= now - timedelta(hours=settings.SESSION_MAX_HOURS)


def session_record_open(*, user: User, session_key: str, user_agent: str, ip: str) -> SessionRecord:
    """The record of a session just logged in (called by the middleware)."""
    now = timezone.now()
    return SessionRecord.objects.create(
        user=user,
        key_hash=session_key_hash(session_key),
        created_at=now,
        last_seen_at=now,
        device_label=device_label(user_agent),
        ip=ip or None,
    )


def session_record_touch(*, record: SessionRecord, session_key: str) -> None:
    """Note the activity of a session and follow its key when Django cycled it (login steps)."""
    now = timezone.now()
    key_hash = session_key_hash(session_key)
    fields: dict[str, object] = {}
    if now - record.last_seen_at >= LAST_SEEN_PRECISION:
        fields["last_seen_at"] = now
    if key_hash != record.key_hash:
        fields["key_hash"] = key_hash
    if fields:
        SessionRecord.objects.filter(id=record.id).update(**fields)


def session_record_forget(*, record_id: str) -> None:
    """The person logged out: the record goes (the logout itself is in the journal)."""
    SessionRecord.objects.filter(id=record_id).delete()


def _django_sessions_delete(key_hashes: set[str]) -> None:
    """Delete Django's rows of these sessions. Only digests are known, so live rows are hashed one
    by one: a practice has tens of sessions, an IT provider thousands, both cheap to hash."""
    if not key_hashes:
        return
    live_keys = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", flat=True)
    doomed = [key for key in live_keys.iterator() if session_key_hash(key) in key_hashes]
    Session.objects.filter(session_key__in=doomed).delete()


def _end(records: list[SessionRecord], *, actor: User | None, action: Action) -> int:
    for record in records:
        audit_record(
            action=action,
            actor=actor if actor is not None else record.user,
            practice_id=record.user.practice_id,
            subject_type=SESSION_SUBJECT,
            subject_id=record.id,
        )
    SessionRecord.objects.filter(id__in=[record.id for record in records]).delete()
    _django_sessions_delete({record.key_hash for record in records})
    return len(records)


def session_expire(*, record: SessionRecord) -> None:
    """The absolute lifetime is over: the session ends, in the journal as expired."""
    with transaction.atomic():
        _end([record], actor=None, action=Action.SESSION_EXPIRED)


def _may_end(actor: User, owner: User) -> bool:
    return owner.pk == actor.pk or (owner.practice_id == actor.practice_id and Role.ADMIN in actor.role_set())


def session_end(*, actor: User, owner: User, session_id: uuid.UUID) -> None:
    """End one session of ``owner``: one's own, or, for an administrator, one of an account of
    their practice.

    Anyone else's answers as a missing one. The next request of that session lands on the login page.
    """
    with transaction.atomic():
        record = SessionRecord.objects.select_related("user").filter(id=session_id, user=owner).first()
        if record is None or not _may_end(actor, record.user):
            raise NotFound
        _end([record], actor=actor, action=Action.SESSION_ENDED)


def sessions_end_others(*, user: User, current_session_id: str) -> int:
    """End every session of ``user`` but the one they use now; returns how many ended."""
    with transaction.atomic():
        records = list(
            SessionRecord.objects.select_related("user").filter(user=user).exclude(id=current_session_id)
        )
        return _end(records, actor=user, action=Action.SESSION_ENDED)


def sessions_end_all(*, actor: User, owner: User) -> int:
    """End every session of ``owner`` (an administrator's action, or part of a departure).

    The caller has checked that ``actor`` may act on ``owner``; runs in the caller's transaction.
    """
    with transaction.atomic():
        records = list(SessionRecord.objects.select_related("user").filter(user=owner))
        return _end(records, actor=actor, action=Action.SESSION_ENDED)


def sessions_live_of(*, user: User) -> list[SessionRecord]:
    """The sessions of ``user`` still alive (not idle past the timeout, not past the lifetime)."""
    idle_limit, lifetime_limit = _oldest_live(timezone.now())
    return list(
        SessionRecord.objects.filter(user=user, last_seen_at__gt=idle_limit, created_at__gt=lifetime_limit)
    )


def session_records_purge() -> int:
    """Forget records of sessions that died of idleness or age; returns how many."""
    idle_limit, lifetime_limit = _oldest_live(timezone.now())
    stale = SessionRecord.objects.filter(last_seen_at__lte=idle_limit) | SessionRecord.objects.filter(
        created_at__lte=lifetime_limit
    )
    deleted, _rows = stale.delete()
    return deleted
