"""Session records and the absolute session lifetime (after AuthenticationMiddleware and the audit
context, so that an expiry is recorded with the request's origin)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from egide.accounts.models import User
from egide.core.net import client_ip
from egide.staff.models import SessionRecord
from egide.staff.sessions import (
    SESSION_RECORD_KEY,
    session_expire,
    session_expired,
    session_record_forget,
    session_record_open,
    session_record_touch,
)


def _open(request: HttpRequest, user: User) -> SessionRecord | None:
    session_key = request.session.session_key
    if not session_key:
        return None
    record = session_record_open(
        user=user,
        session_key=session_key,
        user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
        ip=client_ip(request),
    )
    request.session[SESSION_RECORD_KEY] = str(record.id)
    return record


class SessionRecordMiddleware:
    """Every logged-in session has a record; a session whose record was ended, or whose absolute
    lifetime is over, is logged out and sent to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        record: SessionRecord | None = None
        if isinstance(user, User):
            record_id = request.session.get(SESSION_RECORD_KEY)
            if record_id is None:
                record = _open(request, user)
            else:
                record = SessionRecord.objects.filter(id=str(record_id), user=user).first()
                if record is None or session_expired(record, now=timezone.now()):
                    return self._ended(request, record)
        response = self.get_response(request)
        self._after(request, record)
        return response

    def _ended(self, request: HttpRequest, record: SessionRecord | None) -> HttpResponseBase:
        if record is not None:
            session_expire(record=record)
        # Ended elsewhere (the person on another computer, an administrator, a departure) or too
        # old: the session is emptied, never resumed.
        request.session.flush()
        request.user = AnonymousUser()
        return redirect_to_login(request.get_full_path())

    def _after(self, request: HttpRequest, record: SessionRecord | None) -> None:
        user = request.user
        if not isinstance(user, User):
            if record is not None:
                session_record_forget(record_id=str(record.id))  # logged out
            return
        session_key = request.session.session_key
        if record is None or request.session.get(SESSION_RECORD_KEY) != str(record.id):
            if record is not None:
                session_record_forget(record_id=str(record.id))  # the previous person's session
            _open(request, user)  # just logged in
        elif session_key:
            session_record_touch(record=record, session_key=session_key)
