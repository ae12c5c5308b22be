from __future__ import annotations

from django.urls import path

from egide.access import views

app_name = "access"

urlpatterns = [
    path("bris-de-glace/", views.break_glass_list, name="break_glass_list"),
    path("bris-de-glace/<uuid:grant_id>/", views.break_glass_detail, name="break_glass_detail"),
    path("patients/<uuid:patient_id>/bris-de-glace/", views.break_glass_open, name="break_glass_open"),
    path("consultations/", views.trail_lookup, name="trail_lookup"),
    path("patients/<uuid:patient_id>/consultations/", views.trail, name="trail"),
    path("patients/<uuid:patient_id>/consultations.pdf", views.trail_pdf_download, name="trail_pdf"),
]
