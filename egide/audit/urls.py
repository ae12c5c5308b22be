from __future__ import annotations

from django.urls import path

from egide.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.journal, name="journal"),
    path("export.csv", views.journal_export, name="export"),
]
