"""Maps the domain errors to HTTP in one place (STYLE.md "Views and API")."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
