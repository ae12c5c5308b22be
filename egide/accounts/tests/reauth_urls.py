"""A test-only sensitive page behind ``require_recent_auth``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from egide.accounts.decorators import require_recent_auth


@require_recent_auth
def sensitive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("action sensible")


urlpatterns = [path("sensible/", sensitive), path("", include("egide.urls"))]
