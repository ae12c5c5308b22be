"""Patient pages. URLs and titles carry opaque ids only; searches are POSTed, never in a URL."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egide.accounts.decorators import require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import Invalid
from egide.patients.forms import NoteForm, PatientForm, SearchForm
from egide.patients.identifiers import IdentityStatus
from egide.patients.selectors import patient_get_for_user, patient_search
from egide.patients.services import Saved, note_add, patient_create, patient_update

STAFF = (Role.PRATICIEN, Role.SECRETARIAT)


def _saved(request: HttpRequest, saved: Saved, message: str) -> HttpResponse:
    messages.success(request, message)
    for warning in saved.warnings:
        messages.warning(request, warning)
    return redirect("patients:detail", patient_id=saved.patient_id)


@require_role(*STAFF)
def patient_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST or None)
    hits = None
    if request.method == "POST" and form.is_valid():
        try:
            hits = patient_search(user=current_user(request), query=form.cleaned_data["q"])
        except Invalid as error:
            form.add_error("q", " ".join(message for values in error.fields.values() for message in values))
    return render(request, "patients/list.html", {"form": form, "hits": hits})


@require_role(*STAFF)
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = patient_create(
                actor=current_user(request),
                identity=form.identity(),
                ins_oid=form.cleaned_data["ins_oid"],
                identity_status=IdentityStatus(form.cleaned_data["identity_status"]),
            )
        except Invalid as error:
            form.add_domain_errors(error)
        else:
            return _saved(request, saved, _("Patient created."))
    return render(
        request, "patients/form.html", {"form": form, "creating": True}, status=400 if form.errors else 200
    )


@require_role(*STAFF)
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    record = patient_get_for_user(user=current_user(request), patient_id=patient_id)
    return render(request, "patients/detail.html", {"record": record, "note_form": NoteForm()})


@require_role(*STAFF)
def patient_edit(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = PatientForm(request.POST)
        if form.is_valid():
            try:
                saved = patient_update(
                    actor=user,
                    patient_id=patient_id,
                    identity=form.identity(),
                    ins_oid=form.cleaned_data["ins_oid"],
                    identity_status=IdentityStatus(form.cleaned_data["identity_status"]),
                )
            except Invalid as error:
                form.add_domain_errors(error)
            else:
                return _saved(request, saved, _("Patient updated."))
    else:
        record = patient_get_for_user(user=user, patient_id=patient_id)
        if record.identity is None:
            return redirect("patients:detail", patient_id=patient_id)
        form = PatientForm.from_identity(
            record.identity, ins_oid=record.ins_oid, identity_status=record.identity_status
        )
    context = {"form": form, "creating": False, "patient_id": patient_id}
    return render(request, "patients/form.html", context, status=400 if form.errors else 200)


@require_POST
@require_role(Role.PRATICIEN)
def note_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_add(actor=current_user(request), patient_id=patient_id, text=form.cleaned_data["text"])
        except Invalid as error:
            messages.error(request, " ".join(m for values in error.fields.values() for m in values))
        else:
            messages.success(request, _("Note added."))
    else:
        messages.error(request, _("The note is empty."))
    return redirect("patients:detail", patient_id=patient_id)
