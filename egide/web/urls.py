from __future__ import annotations

from django.urls import path

from egide.web import views

app_name = "web"

urlpatterns = [path("", views.dashboard, name="dashboard")]
