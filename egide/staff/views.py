"""Sessions ("Mes sessions", and the administrator's view of them) and the team pages."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from egide.accounts.decorators import require_recent_auth, require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import Invalid
from egide.staff.forms import InviteForm, RolesForm
from egide.staff.selectors import member_of_practice, team_of_practice
from egide.staff.services import (
    InviteMethod,
    account_depart,
    account_invite,
    account_of_practice,
    account_reactivate,
    account_unlock,
    invitation_accept,
    invitation_get,
    invitation_renew,
    roles_change,
)
from egide.staff.sessions import (
    SESSION_RECORD_KEY,
    session_end,
    sessions_end_all,
    sessions_end_others,
    sessions_live_of,
)


def _form_errors(form: InviteForm | RolesForm | SetPasswordForm, error: Invalid) -> None:  # type: ignore[type-arg]
    for field, field_messages in error.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _this_session_ended(request: HttpRequest) -> HttpResponseBase:
    """The session of this very request was just ended: it must not be saved again."""
    request.session.flush()
    request.user = AnonymousUser()
    return redirect("accounts:login")


# --- My sessions -----------------------------------------------------------------------------


@never_cache
@login_required
def my_sessions_view(request: HttpRequest) -> HttpResponse:
    """The person's own sessions, the current one marked; ending one or all the others."""
    user = current_user(request)
    context = {
        "sessions": sessions_live_of(user=user),
        "current_id": request.session.get(SESSION_RECORD_KEY, ""),
    }
    return render(request, "staff/my_sessions.html", context)


@require_POST
@login_required
def my_session_end_view(request: HttpRequest, session_id: uuid.UUID) -> HttpResponseBase:
    user = current_user(request)
    session_end(actor=user, owner=user, session_id=session_id)
    if str(session_id) == request.session.get(SESSION_RECORD_KEY):
        return _this_session_ended(request)
    messages.success(request, _("The session has ended: whoever used it must log in again."))
    return redirect("staff:my_sessions")


@require_POST
@login_required
def my_sessions_end_others_view(request: HttpRequest) -> HttpResponseBase:
    ended = sessions_end_others(
        user=current_user(request), current_session_id=str(request.session.get(SESSION_RECORD_KEY, ""))
    )
    messages.success(request, _("Other sessions ended: %(count)d.") % {"count": ended})
    return redirect("staff:my_sessions")


# --- The team (administrator) -------------------------------------------------------------------


@never_cache
@require_role(Role.ADMIN)
def team_view(request: HttpRequest) -> HttpResponse:
    """Every account of the practice: roles, locks, dormant and departed accounts."""
    members = team_of_practice(actor=current_user(request))
    return render(request, "staff/team.html", {"members": members})


@never_cache
@require_role(Role.ADMIN)
def member_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    target = account_of_practice(actor=current_user(request), user_id=user_id)
    context = {"member": member_of_practice(user=target), "sessions": sessions_live_of(user=target)}
    return render(request, "staff/member.html", context)


def _invitation_link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("staff:invitation", kwargs={"token": token}))


@sensitive_post_parameters()
@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def invite_view(request: HttpRequest) -> HttpResponse:
    """Create an account with its roles; the link or temporary password is shown once."""
    actor = current_user(request)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = account_invite(
                actor=actor,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=[Role(role) for role in data["roles"]],
                method=InviteMethod(data["method"]),
            )
        except Invalid as error:
            _form_errors(form, error)
        else:
            link = _invitation_link(request, result.invitation_token) if result.invitation_token else ""
            return render(
                request,
                "staff/invited.html",
                {"invited": result.user, "link": link, "temporary_password": result.temporary_password},
            )
    return render(request, "staff/invite.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def member_invitation_renew_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """A new link for an invited person whose link expired or was lost (shown once)."""
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    if request.method == "POST":
        token = invitation_renew(actor=actor, user_id=target.pk)
        context = {"invited": target, "link": _invitation_link(request, token), "temporary_password": ""}
        return render(request, "staff/invited.html", context)
    return render(request, "staff/member_invitation_renew.html", {"member": member_of_practice(user=target)})


@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def member_roles_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    form = RolesForm(
        request.POST if request.method == "POST" else None,
        initial={"roles": [role.value for role in target.role_set()]},
    )
    if form.is_valid():
        try:
            roles_change(
                actor=actor, user_id=target.pk, roles=[Role(role) for role in form.cleaned_data["roles"]]
            )
        except Invalid as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Roles changed."))
            if target.pk == actor.pk and Role.ADMIN not in target.role_set():
                return redirect("web:dashboard")  # no longer an administrator
            return redirect("staff:member", user_id=target.pk)
    context = {"member": member_of_practice(user=target), "form": form}
    return render(request, "staff/member_roles.html", context, status=400 if form.errors else 200)


@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def member_depart_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    """Departure: confirm, then disable the account, end its sessions, revoke its tokens."""
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    if request.method == "POST":
        account_depart(actor=actor, user_id=target.pk)
        messages.success(
            request, _("The account is disabled: its sessions have ended and its API tokens no longer work.")
        )
        return redirect("staff:member", user_id=target.pk)
    return render(request, "staff/member_depart.html", {"member": member_of_practice(user=target)})


@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def member_reactivate_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    if request.method == "POST":
        account_reactivate(actor=actor, user_id=target.pk)
        messages.success(request, _("The account is active again: the person can log in."))
        return redirect("staff:member", user_id=target.pk)
    return render(request, "staff/member_reactivate.html", {"member": member_of_practice(user=target)})


@require_POST
@require_role(Role.ADMIN)
def member_unlock_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponseBase:
    if account_unlock(actor=current_user(request), user_id=user_id):
        messages.success(request, _("The account is unlocked: the person can log in again."))
    else:
        messages.info(request, _("The account was not locked."))
    return redirect("staff:member", user_id=user_id)


@require_POST
@require_role(Role.ADMIN)
def member_session_end_view(
    request: HttpRequest, user_id: uuid.UUID, session_id: uuid.UUID
) -> HttpResponseBase:
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    session_end(actor=actor, owner=target, session_id=session_id)
    messages.success(request, _("The session has ended: whoever used it must log in again."))
    return redirect("staff:member", user_id=user_id)


@require_POST
@require_role(Role.ADMIN)
def member_sessions_end_view(request: HttpRequest, user_id: uuid.UUID) -> HttpResponseBase:
    actor = current_user(request)
    target = account_of_practice(actor=actor, user_id=user_id)
    ended = sessions_end_all(actor=actor, owner=target)
    messages.success(request, _("Sessions ended: %(count)d.") % {"count": ended})
    if target.pk == actor.pk:
        return _this_session_ended(request)
    return redirect("staff:member", user_id=user_id)


# --- Invitation (the invited person, not logged in) ---------------------------------------------


@sensitive_post_parameters()
@never_cache
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person chooses their password; then they log in and enrol their second factor."""
    invitation = invitation_get(token=token)
    form = SetPasswordForm(invitation.user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            invitation_accept(token=token, new_password=form.cleaned_data["new_password1"])
        except Invalid as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Your password is saved. Log in now; you will then link your authenticator application."),
            )
            return redirect("accounts:login")
    context = {"form": form, "invited": invitation.user, "expires_at": invitation.expires_at}
    return render(request, "staff/invitation.html", context, status=400 if form.errors else 200)
