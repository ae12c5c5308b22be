"""Where an event comes from: the current request's id, source IP, user-agent digest and user.

The middleware sets it for each request; ``audit_record`` reads it for whatever the
caller did not give. A contextvar, so threads and async tasks each see their own.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest

from egide.core.net import client_ip


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    source_ip: str
    user_agent_digest: str
    request: HttpRequest | None = None


_current: ContextVar[RequestContext | None] = ContextVar("egide_audit_request", default=None)


def current_context() -> RequestContext | None:
    return _current.get()


def context_from_request(request: HttpRequest) -> RequestContext:
    user_agent = str(request.META.get("HTTP_USER_AGENT", ""))
    # A digest: enough to tell whether two events came from the same browser, without
    # keeping a fingerprint that could identify the person.
    digest = hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest() if user_agent else ""
    return RequestContext(
        request_id=uuid.uuid4().hex, source_ip=client_ip(request), user_agent_digest=digest, request=request
    )


@contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
