"""The Pro Santé Connect entry points shown on the accounts pages (login, re-authentication)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from egide.accounts.models import User
from egide.psc.selectors import psc_available, reauthentication_available

register = template.Library()


@register.inclusion_tag("psc/_login_button.html")
def psc_login_button(next_url: str = "") -> dict[str, object]:
    return {"available": psc_available(), "next": next_url}


@register.inclusion_tag("psc/_reauth_link.html")
def psc_reauth_link(request: HttpRequest, next_url: str = "") -> dict[str, object]:
    user = request.user
    available = isinstance(user, User) and reauthentication_available(user)
    return {"available": available, "next": next_url}
