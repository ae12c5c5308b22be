"""The dashboard's link to the team pages, for administrators only."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from egide.accounts.models import Role, User

register = template.Library()


@register.simple_tag(takes_context=True)
def team_link(context: template.Context) -> SafeString | str:
    user = context.get("user")
    if not isinstance(user, User) or Role.ADMIN not in user.role_set():
        return ""
    return format_html('<li><a href="{}">{}</a></li>', reverse("staff:team"), _("Team"))
