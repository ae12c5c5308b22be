from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from egide.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("connexion/second-facteur/", views.second_factor_view, name="second_factor"),
    path("connexion/activation/", views.totp_enrol_view, name="totp_enrol"),
    path("mot-de-passe/", views.password_change_view, name="password_change"),
    path("reauthentification/", views.reauthenticate_view, name="reauthenticate"),
    path("codes-de-secours/", views.recovery_codes_view, name="recovery_codes"),
    path("compte/jetons/", views.api_tokens_view, name="api_tokens"),
    path("compte/jetons/nouveau/", views.api_token_create_view, name="api_token_create"),
    path("compte/jetons/<uuid:token_id>/revoquer/", views.api_token_revoke_view, name="api_token_revoke"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
]
