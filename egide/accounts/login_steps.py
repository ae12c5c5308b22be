"""Where a logged-in person stands: password checked, second factor, temporary password, recent auth.

Login is password, then second factor. At first login the temporary password is changed and the
TOTP application enrolled before anything else opens; an account that already holds a second factor
proves it first, so a leaked temporary password alone never opens anything.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from egide.accounts.models import User
from egide.accounts.second_factor import has_second_factor

PASSWORD_AT_SESSION_KEY = "egide_password_at"  # noqa: S105  # a session key, not a secret
FACTOR_AT_SESSION_KEY = "egide_factor_at"
NEXT_SESSION_KEY = "egide_next"

STEP_SECOND_FACTOR = "accounts:second_factor"
STEP_PASSWORD_CHANGE = "accounts:password_change"  # noqa: S105  # a URL name
STEP_TOTP_ENROL = "accounts:totp_enrol"


def login_next_step(request: HttpRequest) -> str | None:
    """The URL name of the step the person must complete now; None when the app is open to them."""
    user = request.user
    if not isinstance(user, User):
        return None
    verified = bool(getattr(user, "is_verified", lambda: False)())
    if not verified:
        if has_second_factor(user):
            return STEP_SECOND_FACTOR
        return STEP_PASSWORD_CHANGE if user.must_change_password else STEP_TOTP_ENROL
    return STEP_PASSWORD_CHANGE if user.must_change_password else None


def password_checked(request: HttpRequest) -> None:
    request.session[PASSWORD_AT_SESSION_KEY] = time.time()


def second_factor_checked(request: HttpRequest) -> None:
    request.session[FACTOR_AT_SESSION_KEY] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    """Password and second factor both proven within EGIDE_REAUTH_MINUTES."""
    oldest_allowed = time.time() - settings.REAUTH_MINUTES * 60
    proofs = [request.session.get(PASSWORD_AT_SESSION_KEY), request.session.get(FACTOR_AT_SESSION_KEY)]
    return all(isinstance(at, float) and at >= oldest_allowed for at in proofs)


def safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def remember_next(request: HttpRequest, candidate: str) -> None:
    request.session[NEXT_SESSION_KEY] = safe_next(request, candidate)


def after_login_url(request: HttpRequest) -> str:
    """Where to go once a step is done: the next step, or the page first asked for."""
    step = login_next_step(request)
    if step is not None:
        return resolve_url(step)
    return request.session.pop(NEXT_SESSION_KEY, "") or resolve_url(settings.LOGIN_REDIRECT_URL)
