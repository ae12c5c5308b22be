from __future__ import annotations

from django.urls import include, path

from egide.api.api import api

urlpatterns = [
    path("", include("egide.web.urls")),
    path("", include("egide.accounts.urls")),
    path("second-facteur/", include("egide.mfa.urls")),
    path("patients/", include("egide.patients.urls")),
    path("acces/", include("egide.access.urls")),
    path("psc/", include("egide.psc.urls")),
    path("cles/", include("egide.crypto.urls")),
    path("journal/", include("egide.audit.urls")),
    path("sauvegardes/", include("egide.backups.urls")),
    path("", include("egide.staff.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
