"""Break-the-glass (practitioners), its review (DPO), and a patient's access trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egide.access import policy, selectors
from egide.access.forms import BreakGlassForm, ReviewForm, TrailLookupForm
from egide.access.models import Verdict
from egide.access.selectors import TRAIL_PAGE_SIZE, break_glass_get, trail_page
from egide.access.services import break_glass_open as grant_open
from egide.access.services import break_glass_review
from egide.access.trail_pdf import trail_pdf
from egide.accounts.decorators import require_recent_auth, require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import Invalid, NotFound

REVIEW_PAGE_SIZE = 50


@require_role(Role.PRATICIEN)
@require_recent_auth
def break_glass_open(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The reason travels in the POST body only: never in a URL, never in a log line."""
    user = current_user(request)
    if not policy.can_break_glass(user, patient_id):
        raise NotFound
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = grant_open(actor=user, patient_id=patient_id, reason=form.cleaned_data["reason"])
        except Invalid as error:
            form.add_error("reason", " ".join(m for values in error.fields.values() for m in values))
        else:
            messages.warning(
                request,
                _("Break-the-glass access opened until %(time)s. The DPO has been told.")
                % {"time": timezone.localtime(grant.expires_at).strftime("%H:%M")},
            )
            return redirect("patients:detail", patient_id=patient_id)
    status = 400 if form.errors else 200
    context = {"form": form, "patient_id": patient_id, "hours": settings.BREAK_GLASS_HOURS}
    return render(request, "access/break_glass_open.html", context, status=status)


@require_GET
@require_role(Role.DPO)
def break_glass_list(request: HttpRequest) -> HttpResponse:
    grants = selectors.break_glass_list(user=current_user(request))
    page = Paginator(grants, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "access/break_glass_list.html", {"page": page})


@require_role(Role.DPO)
def break_glass_detail(request: HttpRequest, grant_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_review(
                actor=user,
                grant_id=grant_id,
                verdict=Verdict(form.cleaned_data["verdict"]),
                comment=form.cleaned_data["comment"],
            )
        except Invalid as error:
            form.add_error("comment", " ".join(m for values in error.fields.values() for m in values))
        else:
            messages.success(request, _("Review recorded."))
            return redirect("access:break_glass_list")
    detail = break_glass_get(user=user, grant_id=grant_id)
    status = 400 if form.errors else 200
    return render(request, "access/break_glass_detail.html", {"detail": detail, "form": form}, status=status)


@require_GET
@require_role(Role.DPO)
def trail_lookup(request: HttpRequest) -> HttpResponse:
    """The DPO reaches a patient's trail by its reference (the opaque id), not by name: the DPO does
    not search identities. The trail page itself decides (missing and forbidden alike)."""
    form = TrailLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("access:trail", patient_id=form.cleaned_data["patient"])
    messages.error(request, _("Type the patient's reference, as shown in the journal."))
    return redirect("access:break_glass_list")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


@require_GET
@require_role(Role.PRATICIEN, Role.DPO)
def trail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    number = _page_number(request)
    found = trail_page(user=current_user(request), patient_id=patient_id, page=number)
    pages = max((found.total + TRAIL_PAGE_SIZE - 1) // TRAIL_PAGE_SIZE, 1)
    context = {
        "trail": found,
        "number": min(number, pages),
        "pages": pages,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < pages else None,
    }
    return render(request, "access/trail.html", context)


# GET, like the journal's export, so that the re-authentication asked first comes back to it.
@require_GET
@require_role(Role.PRATICIEN, Role.DPO)
@require_recent_auth
def trail_pdf_download(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    pdf = trail_pdf(user=current_user(request), patient_id=patient_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    # An opaque name: a file name ends up in download lists and browser histories.
    response["Content-Disposition"] = 'attachment; filename="historique-des-acces.pdf"'
    return response
