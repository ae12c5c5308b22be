"""Maps the domain errors to HTTP in one place (STYLE.md "Views and API")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from egide.core.errors import EgideError

API_PREFIX = "/api/"


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, EgideError):
            return None
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {
                    "error": {
                        "code": exception.code,
                        "message": str(exception.message),
                        "fields": exception.fields,
                    }
                },
                status=exception.http_status,
            )
        return render(
            request,
            "error.html",
            {"status": exception.http_status, "message": exception.message, "fields": exception.fields},
            status=exception.http_status,
        )


class NoStoreForStaffMiddleware:
    """Pages shown to a logged-in person are never kept by the browser or a proxy: on a shared
    consulting-room computer, the back button after logout must not show a patient."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
