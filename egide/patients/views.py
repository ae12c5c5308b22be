"""Patient pages. URLs and titles carry opaque ids only; searches are POSTed, never in a URL."""

from __future__ import annotations

import uuid
from typing import BinaryIO

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from egide.access import policy
from egide.access.selectors import trail_recent
from egide.accounts.decorators import require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.core.errors import Invalid, NotFound
from egide.patients.documents import (
    document_add,
    document_list_for_user,
    document_open_for_user,
    max_bytes,
)
from egide.patients.forms import CareTeamForm, DocumentForm, NoteForm, PatientForm, SearchForm
from egide.patients.identifiers import IdentityStatus
from egide.patients.selectors import care_team_get, patient_get_for_user, patient_search
from egide.patients.services import Saved, care_team_add, note_add, patient_create, patient_update

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


# How many of the latest accesses the patient page shows; the trail page has them all.
TRAIL_ON_PAGE = 10


@require_role(*STAFF)
def patient_detail(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    try:
        record = patient_get_for_user(user=user, patient_id=patient_id)
    except NotFound:
        # A practitioner of the practice outside the care team is offered break-the-glass.
        if policy.can_break_glass(user, patient_id):
            return redirect("access:break_glass_open", patient_id=patient_id)
        raise
    documents = (
        document_list_for_user(user=user, patient_id=patient_id)
        if record.can_see_clinical and record.identity is not None
        else []
    )
    team = care_team_get(user=user, patient_id=patient_id)
    context = {
        "record": record,
        "note_form": NoteForm(),
        "document_form": DocumentForm(),
        "documents": documents,
        "care_team": team,
        "care_team_form": CareTeamForm(candidates=team.candidates) if team.candidates else None,
        "trail": trail_recent(user=user, patient_id=patient_id, limit=TRAIL_ON_PAGE)
        if record.can_see_trail
        else None,
    }
    return render(request, "patients/detail.html", context)


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
@require_role(*STAFF)
def care_team_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    team = care_team_get(user=user, patient_id=patient_id)
    if not team.candidates:
        raise NotFound
    form = CareTeamForm(request.POST, candidates=team.candidates)
    if form.is_valid():
        care_team_add(actor=user, patient_id=patient_id, practitioner_id=form.cleaned_data["practitioner"])
        messages.success(request, _("Practitioner added to the care team."))
    else:
        messages.error(request, _("Choose a practitioner of the practice."))
    return redirect("patients:detail", patient_id=patient_id)


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


class _InMemoryUpload(MemoryFileUploadHandler):
    """Keeps the upload in memory whatever its size (bounded by the Content-Length check): Django
    would otherwise write large uploads in clear to a temporary file (DESIGN "Invariants" 1)."""

    def handle_raw_input(self, *args: object, **kwargs: object) -> None:
        self.activated = True


# Room for the multipart envelope and the CSRF token around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


@csrf_exempt  # checked by _document_new once the upload handlers are set
@require_POST
@require_role(Role.PRATICIEN)
def document_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes() + MULTIPART_OVERHEAD_BYTES:
        messages.error(
            request,
            _("The file is larger than %(max)s MB. Nothing was saved.") % {"max": settings.DOCUMENT_MAX_MB},
        )
        return redirect("patients:detail", patient_id=patient_id)
    request.upload_handlers = [_InMemoryUpload(request)]
    return _document_new(request, patient_id)


@csrf_protect
def _document_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for values in form.errors.values() for m in values))
        return redirect("patients:detail", patient_id=patient_id)
    upload = form.cleaned_data["file"]
    try:
        document_add(
            actor=current_user(request), patient_id=patient_id, filename=upload.name or "", upload=upload
        )
    except Invalid as error:
        messages.error(request, " ".join(m for values in error.fields.values() for m in values))
    else:
        messages.success(request, _("Document added."))
    return redirect("patients:detail", patient_id=patient_id)


class _Chunks:
    """The decrypted content, 1 MiB at a time; Django closes it (and the blob) after the response."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def __iter__(self) -> _Chunks:
        return self

    def __next__(self) -> bytes:
        chunk = self._stream.read(1024 * 1024)
        if not chunk:
            raise StopIteration
        return chunk

    def close(self) -> None:
        self._stream.close()


@require_GET
@require_role(Role.PRATICIEN)
def document_download(
    request: HttpRequest, patient_id: uuid.UUID, document_id: uuid.UUID
) -> HttpResponseBase:
    user = current_user(request)
    opened = document_open_for_user(user=user, patient_id=patient_id, document_id=document_id)
    response = StreamingHttpResponse(_Chunks(opened.stream), content_type=opened.media_type)
    response["Content-Length"] = str(opened.size)
    # RFC 6266: filename="…" for ASCII names, filename*=utf-8''… otherwise (Django's helper).
    response["Content-Disposition"] = content_disposition_header(True, opened.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
