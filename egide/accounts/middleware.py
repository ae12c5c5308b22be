"""Deny by default: a logged-in person sees the app only after the second factor (issue 5 item 2).

Until then every page answers with a redirect to the one step left (second factor, temporary
password, TOTP enrolment). Anonymous visitors are left to ``login_required``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from egide.accounts.login_steps import login_next_step

# Pages open at every step: logging in again (with a password or the CPS card: the second-factor
# page offers the card to whoever holds one), logging out, switching the language.
ALWAYS_OPEN = frozenset({"accounts:login", "accounts:logout", "set_language", "psc:login", "psc:callback"})


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether the session's second factor is proven."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        step = login_next_step(request)
        if step is None:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name == step or view_name in ALWAYS_OPEN:
            return None
        return redirect(step)
