from __future__ import annotations

from django.urls import path

from egide.backups import views

app_name = "backups"

urlpatterns = [
    path("", views.status_page, name="status"),
    path("destinations/ajouter/", views.destination_add_view, name="destination_add"),
    path(
        "destinations/<slug:name>/activer/",
        views.destination_enable_view,
        {"enabled": True},
        name="destination_enable",
    ),
    path(
        "destinations/<slug:name>/suspendre/",
        views.destination_enable_view,
        {"enabled": False},
        name="destination_disable",
    ),
]
