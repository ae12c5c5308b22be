"""The staff part's answers to what the accounts part announces (connected in StaffConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.http import HttpRequest

from egide.accounts.models import User
from egide.accounts.signals import password_changed
from egide.staff.sessions import SESSION_RECORD_KEY, sessions_end_others


@receiver(password_changed)
def _other_sessions_end(sender: Any, *, user: User, request: HttpRequest, **kwargs: Any) -> None:
    """A new password ends every other session at once: listed, journalled, gone server side."""
    sessions_end_others(user=user, current_session_id=str(request.session.get(SESSION_RECORD_KEY, "")))
