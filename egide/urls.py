from __future__ import annotations

from django.urls import include, path

from egide.api.api import api

urlpatterns = [
    path("", include("egide.web.urls")),
    path("", include("egide.accounts.urls")),
    path("patients/", include("egide.patients.urls")),
    path("cles/", include("egide.crypto.urls")),
    path("journal/", include("egide.audit.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
