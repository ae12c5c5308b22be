"""Reads on practices and staff accounts."""

from __future__ import annotations

from django.http import HttpRequest

from egide.accounts.models import Practice, User
from egide.core.errors import NotFound


def practice_exists() -> bool:
    return Practice.objects.exists()


def current_user(request: HttpRequest) -> User:
    """The authenticated staff account of a request (views behind ``login_required``)."""
    user = request.user
    if not isinstance(user, User):
        raise NotFound
    return user
