from __future__ import annotations

from django.urls import path

from egide.crypto import views

app_name = "crypto"

urlpatterns = [
    path("", views.key_status_page, name="status"),
]
