from __future__ import annotations

from django.urls import path

from egide.psc import views

app_name = "psc"

urlpatterns = [
    path("connexion/", views.login_start_view, name="login"),
    path("reauthentification/", views.reauthenticate_start_view, name="reauthenticate"),
    path("retour/", views.callback_view, name="callback"),
    path("reglages/", views.settings_view, name="settings"),
]
