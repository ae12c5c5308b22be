"""URLs that fail on purpose, to look at the error pages a person would see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from egide.core.errors import Forbidden, Invalid, NotFound


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret detail: /srv/egide/settings.py line 42")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise Forbidden


def missing(request: HttpRequest) -> HttpResponse:
    raise NotFound


def invalid_api(request: HttpRequest) -> HttpResponse:
    raise Invalid(fields={"nir": ["Clé NIR invalide : 93 attendu"]})


urlpatterns = [
    path("boom/", crash),
    path("interdit/", forbidden),
    path("absent/", missing),
    path("api/v1/essai/", invalid_api),
    path("", include("egide.urls")),
]
