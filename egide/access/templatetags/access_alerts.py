"""The DPO's in-app alert: break-the-glass accesses waiting for review (dashboard badge)."""

from __future__ import annotations

from typing import Any

from django import template

from egide.access.policy import can_review_break_glass
from egide.access.selectors import break_glass_pending_count
from egide.accounts.models import User

register = template.Library()


@register.inclusion_tag("access/_break_glass_badge.html", takes_context=True)
def break_glass_badge(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"shown": False}
    return {"shown": can_review_break_glass(user), "pending": break_glass_pending_count(user=user)}
