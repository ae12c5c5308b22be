"""View decorators for access by role (DESIGN.md "Access control": deny by default).

The full policy module (care team, break-the-glass) comes with the access-control issue;
until then pages that hold no patient data are opened by role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase

from egide.accounts.login_steps import recently_authenticated
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import NotFound

View = Callable[..., HttpResponseBase]
REAUTH_URL_NAME = "accounts:reauthenticate"


def require_role(*roles: Role) -> Callable[[View], View]:
    """Allow the view to staff holding one of ``roles``; others get the same answer as a missing page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not current_user(request).role_set() & set(roles):
                raise NotFound
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def require_recent_auth(view: View) -> View:
    """Sensitive actions (exports, break-the-glass, key operations, 2FA and role changes, restore):
    password and second factor proven again within EGIDE_REAUTH_MINUTES (DESIGN.md "Access control").
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not recently_authenticated(request):
            return redirect_to_login(request.get_full_path(), login_url=REAUTH_URL_NAME)
        return view(request, *args, **kwargs)

    return login_required(wrapped)
