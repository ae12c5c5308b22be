"""View decorators for access by role (DESIGN.md "Access control": deny by default).

The full policy module (care team, break-the-glass) comes with the access-control issue;
until then pages that hold no patient data are opened by role.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import NotFound

View = Callable[..., HttpResponse]


def require_role(*roles: Role) -> Callable[[View], View]:
    """Allow the view to staff holding one of ``roles``; others get the same answer as a missing page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not current_user(request).role_set() & set(roles):
                raise NotFound
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
