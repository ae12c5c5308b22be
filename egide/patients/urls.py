from __future__ import annotations

from django.urls import path

from egide.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("nouveau/", views.patient_new, name="new"),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/modifier/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/notes/", views.note_new, name="note_new"),
    path("<uuid:patient_id>/equipe/", views.care_team_new, name="care_team_new"),
    path("<uuid:patient_id>/documents/", views.document_new, name="document_new"),
    path(
        "<uuid:patient_id>/documents/<uuid:document_id>/", views.document_download, name="document_download"
    ),
]
