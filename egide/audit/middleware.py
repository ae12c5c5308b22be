"""Request context for the audit journal (after AuthenticationMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from egide.audit.context import context_from_request, request_context

REQUEST_ID_HEADER = "X-Request-Id"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(context_from_request(request)) as context:
            response = self.get_response(request)
        # The id printed in the journal can be matched with what the person saw.
        response[REQUEST_ID_HEADER] = context.request_id
        return response
