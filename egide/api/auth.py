"""Bearer tokens for the API (``Authorization: Bearer egd_…``) and the scope each operation needs."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from egide.accounts.models import ApiToken, TokenScope, User
from egide.accounts.tokens import READ_SCOPES, WRITE_SCOPES, token_authenticate
from egide.core.errors import EgideError, Forbidden
from egide.core.net import client_ip


class Unauthenticated(EgideError):
    code = "non_authentifie"
    http_status = 401
    default_message = _(
        "This API token is unknown, revoked or expired. Create a new one on the “API tokens” page."
    )


class OutOfScope(Forbidden):
    default_message = _("This API token's scope does not allow this action.")


class TokenAuth(HttpBearer):
    """Accepts a live token whose scope is one of ``scopes``; ``request.auth`` is then the token."""

    def __init__(self, scopes: Iterable[TokenScope]) -> None:
        super().__init__()
        self.scopes = frozenset(scopes)

    def __call__(self, request: HttpRequest) -> ApiToken:
        token = super().__call__(request)
        if not isinstance(token, ApiToken):  # no header, or not a Bearer one
            raise Unauthenticated
        return token

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_authenticate(token.strip(), ip=client_ip(request))
        if found is None:
            raise Unauthenticated
        if found.scope not in self.scopes:
            raise OutOfScope
        return found


read = TokenAuth(READ_SCOPES)
write = TokenAuth(WRITE_SCOPES)


def actor(request: HttpRequest) -> User:
    """The account the request's token acts for."""
    token = getattr(request, "auth", None)  # set by django-ninja once TokenAuth accepted the token
    if not isinstance(token, ApiToken):
        raise Unauthenticated
    return token.user
