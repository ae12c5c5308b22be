from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from egide.access.policy import can_manage_identities
from egide.accounts.models import Role
from egide.accounts.selectors import current_user

# The parts to come (DESIGN.md "The parts"), shown in the navigation as they arrive.
UPCOMING_PARTS = [
    _("Alerts"),
    _("Patients' rights (GDPR)"),
    _("Data breaches"),
    _("Secure sharing"),
    _("Security posture"),
    _("Exercises and training"),
]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    roles = sorted(role.label for role in user.role_set())
    context = {
        "practice": user.practice,
        "roles": roles,
        "upcoming_parts": UPCOMING_PARTS,
        "sees_patients": can_manage_identities(user),
        "sees_journal": bool(user.role_set() & {Role.ADMIN, Role.DPO}),
        "sees_keys": Role.ADMIN in user.role_set(),
    }
    return render(request, "web/dashboard.html", context)
