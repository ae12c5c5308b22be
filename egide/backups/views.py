from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egide.accounts.decorators import require_recent_auth, require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.backups import services
from egide.backups.errors import BackupFault
from egide.backups.forms import DestinationForm
from egide.backups.selectors import backup_status
from egide.core.errors import EgideError, Forbidden


def _page(request: HttpRequest, form: DestinationForm, *, status: int = 200) -> HttpResponse:
    user = current_user(request)
    context = {
        "status": backup_status(),
        "form": form,
        "manages": Role.ADMIN in user.role_set() and services.practices_manage_destinations(),
        "shared": not services.practices_manage_destinations(),
    }
    return render(request, "backups/status.html", context, status=status)


@require_role(Role.ADMIN, Role.DPO)
def status_page(request: HttpRequest) -> HttpResponse:
    """Backups at a glance (the facts of `egide backup status`); the administrator manages the
    destinations here, the DPO reads."""
    return _page(request, DestinationForm())


@require_POST
@require_role(Role.ADMIN)
@require_recent_auth  # changing where backups go is what a ransomware operator would do first
def destination_add_view(request: HttpRequest) -> HttpResponseBase:
    # On a shared installation the reason comes first, whatever the form holds.
    services.operator_check(current_user(request), str(request.POST.get("name", "")))
    form = DestinationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            destination = services.destination_add(
                actor=current_user(request),
                name=data["name"],
                kind=data["kind"],
                location=data["location"],
                append_only=data["append_only"],
                offline=data["offline"],
                offline_warn_days=data["offline_warn_days"],
            )
        except BackupFault as fault:
            form.add_error("location", str(fault.message))
        except Forbidden:
            raise  # a shared installation: the operator's, answered with the reason (403)
        except EgideError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not error.fields:
                form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Destination « %(name)s » added: its repository is ready.") % {"name": destination.name},
            )
            return redirect("backups:status")
    return _page(request, form, status=400)


@require_POST
@require_role(Role.ADMIN)
@require_recent_auth
def destination_enable_view(request: HttpRequest, name: str, enabled: bool) -> HttpResponseBase:
    services.destination_enable(actor=current_user(request), name=name, enabled=enabled)
    if enabled:
        messages.success(request, _("Destination « %(name)s » enabled.") % {"name": name})
    else:
        messages.success(
            request,
            _("Destination « %(name)s » disabled: nothing is backed up to it any more.") % {"name": name},
        )
    return redirect("backups:status")
