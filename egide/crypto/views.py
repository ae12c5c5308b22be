from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from egide.accounts.decorators import require_role
from egide.accounts.models import Role
from egide.crypto.selectors import key_status


@require_role(Role.ADMIN)
def key_status_page(request: HttpRequest) -> HttpResponse:
    """The facts of `egide keys status`, for the administrator (no key material, ever)."""
    return render(request, "crypto/status.html", {"status": key_status()})
