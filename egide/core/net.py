"""The client's address, as the audit journal and login throttling must see it."""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def _valid(raw: str) -> str:
    try:
        return str(ip_address(raw.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, when it is one of EGIDE_TRUSTED_PROXIES, the right-most address of
    X-Forwarded-For that is not a trusted proxy.

    Behind the EGIDE_TLS reverse proxy every connection comes from loopback: without this the
    journal would record 127.0.0.1 for everyone and one IP lock would lock the whole practice.
    Only the proxies' own additions are believed (right to left); what the client wrote is not.
    """
    remote = _valid(str(request.META.get("REMOTE_ADDR", "")))
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [_valid(part) for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    for address in reversed(forwarded):
        if address and address not in trusted:
            return address
    return remote
