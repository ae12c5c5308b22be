"""The dashboard's link to the backups page, for the administrator and the DPO."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from egide.accounts.models import Role, User

register = template.Library()


@register.simple_tag(takes_context=True)
def backups_link(context: template.Context) -> SafeString | str:
    user = context.get("user")
    if not isinstance(user, User) or not user.role_set() & {Role.ADMIN, Role.DPO}:
        return ""
    return format_html('<li><a href="{}">{}</a></li>', reverse("backups:status"), _("Backups"))
