from __future__ import annotations

from django.urls import path

from egide.mfa import views

app_name = "mfa"

urlpatterns = [
    path("", views.account_view, name="account"),
    path("cles-d-acces/ajouter/", views.passkey_add_view, name="passkey_add"),
    path("cles-d-acces/<int:passkey_id>/renommer/", views.passkey_rename_view, name="passkey_rename"),
    path("cles-d-acces/<int:passkey_id>/supprimer/", views.passkey_remove_view, name="passkey_remove"),
    path("application/remplacer/", views.totp_replace_view, name="totp_replace"),
    path("homologation/", views.homologation_view, name="homologation"),
    path("homologation/decision/", views.means_decide_view, name="means_decide"),
]
