"""Django's authentication signals, recorded in the journal (one call each)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record


def record_login(sender: object, request: object, user: Any, **kwargs: Any) -> None:
    audit_record(action=Action.LOGIN_SUCCEEDED, actor=user)


def record_logout(sender: object, request: object, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=Action.LOGOUT, actor=user)


def record_login_failed(
    sender: object, credentials: dict[str, Any], request: object = None, **kwargs: Any
) -> None:
    # An existing account is named by its id; otherwise nothing of what was typed: a
    # password typed into the username field must not land in the journal, even digested
    # (a weak one would be found back from its SHA-256). Same query either way.
    username = str(credentials.get("username", ""))
    account = get_user_model()._default_manager.filter(username=username).first()
    audit_record(action=Action.LOGIN_FAILED, outcome=Outcome.FAILURE, actor=account)


def connect() -> None:
    user_logged_in.connect(record_login, dispatch_uid="egide.audit.login")
    user_logged_out.connect(record_logout, dispatch_uid="egide.audit.logout")
    user_login_failed.connect(record_login_failed, dispatch_uid="egide.audit.login_failed")
