from __future__ import annotations

from django.urls import path

from egide.staff import views

app_name = "staff"

urlpatterns = [
    path("compte/sessions/", views.my_sessions_view, name="my_sessions"),
    path("compte/sessions/<uuid:session_id>/terminer/", views.my_session_end_view, name="my_session_end"),
    path(
        "compte/sessions/terminer-les-autres/",
        views.my_sessions_end_others_view,
        name="my_sessions_end_others",
    ),
    path("equipe/", views.team_view, name="team"),
    path("equipe/inviter/", views.invite_view, name="invite"),
    path("equipe/<uuid:user_id>/", views.member_view, name="member"),
    path(
        "equipe/<uuid:user_id>/invitation/",
        views.member_invitation_renew_view,
        name="member_invitation_renew",
    ),
    path("equipe/<uuid:user_id>/roles/", views.member_roles_view, name="member_roles"),
    path("equipe/<uuid:user_id>/depart/", views.member_depart_view, name="member_depart"),
    path("equipe/<uuid:user_id>/retour/", views.member_reactivate_view, name="member_reactivate"),
    path("equipe/<uuid:user_id>/deverrouiller/", views.member_unlock_view, name="member_unlock"),
    path(
        "equipe/<uuid:user_id>/sessions/terminer/", views.member_sessions_end_view, name="member_sessions_end"
    ),
    path(
        "equipe/<uuid:user_id>/sessions/<uuid:session_id>/terminer/",
        views.member_session_end_view,
        name="member_session_end",
    ),
    path("invitation/<str:token>/", views.invitation_view, name="invitation"),
]
