"""The JSON API under /api/v1/ (DESIGN.md "The parts": integrations and the watch agent).

Each operation parses its input with a schema, calls one service or selector of the vault, and
returns its result: the rules (who sees what, validation, audit) stay in the vault. Searches are in
the body, never in a URL. Errors answer ``{"error": {"code", "message", "fields"}}`` as everywhere
under /api/ (``egide.web.middleware``). No docs page: django-ninja's loads Swagger UI from a CDN,
which the CSP forbids; the OpenAPI document is at /api/v1/openapi.json.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.responses import Status

from egide.api import auth
from egide.api.auth import Unauthenticated, actor
from egide.api.schemas import (
    CreatedOut,
    DocumentOut,
    ErrorOut,
    IdentityOut,
    NoteIn,
    NoteOut,
    PatientIn,
    PatientOut,
    SavedOut,
    SearchHitOut,
    SearchIn,
)
from egide.core.errors import EgideError, Invalid, NotFound
from egide.patients.documents import document_add, document_list_for_user, document_open_for_user, max_bytes
from egide.patients.selectors import patient_get_for_user, patient_search
from egide.patients.services import note_add, patient_create, patient_update

# The web pages' own upload and download plumbing: one definition of "never a clear temporary file".
from egide.patients.views import MULTIPART_OVERHEAD_BYTES, _Chunks, _InMemoryUpload

api = NinjaAPI(
    title="Égide",
    version="1",
    description="Le coffre-fort des données de santé du cabinet : patients, notes, documents.",
    docs_url=None,
    urls_namespace="api",
)

ERRORS: dict[int | frozenset[int], type[ErrorOut]] = {frozenset({400, 401, 403, 404}): ErrorOut}


def _error(request: HttpRequest, error: EgideError) -> HttpResponse:
    response = api.create_response(
        request,
        {"error": {"code": error.code, "message": str(error.message), "fields": error.fields}},
        status=error.http_status,
    )
    if error.http_status == Unauthenticated.http_status:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(EgideError)
def _domain_error(request: HttpRequest, error: EgideError) -> HttpResponse:
    return _error(request, error)


@api.exception_handler(ValidationError)
def _schema_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Malformed input (a missing field, a date that is not one): the same shape as the vault's own
    `Invalid`, one French message per field."""
    fields: dict[str, list[str]] = {}
    for problem in error.errors:
        # ("body", "payload", "birth_date") → "birth_date"; ("path", "patient_id") → "patient_id"
        names = [str(part) for part in problem.get("loc", ()) if isinstance(part, str)]
        field = names[-1] if names else "body"
        message = (
            _("This field is required.")
            if problem.get("type") == "missing"
            else _("This value is not valid.")
        )
        fields.setdefault(field, []).append(message)
    return _error(request, Invalid(fields=fields))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == Unauthenticated.http_status:
        return _error(request, Unauthenticated())
    if error.status_code == NotFound.http_status:
        return _error(request, NotFound())
    return _error(request, Invalid(_("The request could not be read. Nothing was changed.")))


def _patient_out(request: HttpRequest, patient_id: uuid.UUID) -> PatientOut:
    record = patient_get_for_user(user=actor(request), patient_id=patient_id)
    return PatientOut(
        id=record.id,
        identity=IdentityOut.of(record.identity) if record.identity is not None else None,
        erased_at=record.erased_at,
        identity_status=record.identity_status,
        ins_oid=record.ins_oid,
        last_visit_date=record.last_visit_date,
    )


@api.post("/patients", auth=auth.write, response={201: SavedOut, **ERRORS}, tags=["patients"])
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[SavedOut]:
    saved = patient_create(
        actor=actor(request),
        identity=payload.identity(),
        ins_oid=payload.ins_oid,
        identity_status=payload.identity_status,
    )
    return Status(201, SavedOut(id=saved.patient_id, warnings=list(saved.warnings)))


@api.post("/patients/search", auth=auth.read, response={200: list[SearchHitOut], **ERRORS}, tags=["patients"])
def search_patients(request: HttpRequest, payload: SearchIn) -> list[SearchHitOut]:
    hits = patient_search(user=actor(request), query=payload.q)
    return [SearchHitOut(id=hit.id, display_name=hit.display_name, birth_date=hit.birth_date) for hit in hits]


@api.get("/patients/{patient_id}", auth=auth.read, response={200: PatientOut, **ERRORS}, tags=["patients"])
def get_patient(request: HttpRequest, patient_id: uuid.UUID) -> PatientOut:
    return _patient_out(request, patient_id)


@api.put("/patients/{patient_id}", auth=auth.write, response={200: SavedOut, **ERRORS}, tags=["patients"])
def update_patient(request: HttpRequest, patient_id: uuid.UUID, payload: PatientIn) -> SavedOut:
    saved = patient_update(
        actor=actor(request),
        patient_id=patient_id,
        identity=payload.identity(),
        ins_oid=payload.ins_oid,
        identity_status=payload.identity_status,
    )
    return SavedOut(id=saved.patient_id, warnings=list(saved.warnings))


@api.get(
    "/patients/{patient_id}/notes", auth=auth.read, response={200: list[NoteOut], **ERRORS}, tags=["notes"]
)
def list_notes(request: HttpRequest, patient_id: uuid.UUID) -> list[NoteOut]:
    record = patient_get_for_user(user=actor(request), patient_id=patient_id)
    if not record.can_see_clinical:
        raise NotFound
    return [
        NoteOut(id=note.id, written_on=note.written_on, author_label=note.author_label, text=note.text)
        for note in record.notes
    ]


@api.post(
    "/patients/{patient_id}/notes", auth=auth.write, response={201: CreatedOut, **ERRORS}, tags=["notes"]
)
def add_note(request: HttpRequest, patient_id: uuid.UUID, payload: NoteIn) -> Status[CreatedOut]:
    note_id = note_add(
        actor=actor(request), patient_id=patient_id, text=payload.text, written_on=payload.written_on
    )
    return Status(201, CreatedOut(id=note_id))


@api.get(
    "/patients/{patient_id}/documents",
    auth=auth.read,
    response={200: list[DocumentOut], **ERRORS},
    tags=["documents"],
)
def list_documents(request: HttpRequest, patient_id: uuid.UUID) -> list[DocumentOut]:
    rows = document_list_for_user(user=actor(request), patient_id=patient_id)
    return [
        DocumentOut(
            id=row.id,
            filename=row.filename,
            media_type=row.media_type,
            size=row.size,
            uploaded_at=row.uploaded_at,
        )
        for row in rows
    ]


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}


@api.post(
    "/patients/{patient_id}/documents",
    auth=auth.write,
    response={201: CreatedOut, **ERRORS},
    openapi_extra={"requestBody": UPLOAD_BODY},
    tags=["documents"],
)
def add_document(request: HttpRequest, patient_id: uuid.UUID) -> Status[CreatedOut]:
    """Multipart, field ``file``. The upload stays in memory (never a clear temporary file), so its
    declared size is checked before anything is read."""
    too_large = Invalid(
        fields={
            "file": [
                _("The file is larger than %(max)s MB. Nothing was saved.")
                % {"max": settings.DOCUMENT_MAX_MB}
            ]
        }
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes() + MULTIPART_OVERHEAD_BYTES:
        raise too_large
    request.upload_handlers = [_InMemoryUpload(request)]
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid(fields={"file": [_("Choose a file to send (multipart field “file”).")]})
    document_id = document_add(
        actor=actor(request), patient_id=patient_id, filename=upload.name or "", upload=upload
    )
    return Status(201, CreatedOut(id=document_id))


@api.get(
    "/patients/{patient_id}/documents/{document_id}",
    auth=auth.read,
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "The document's content, decrypted",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    tags=["documents"],
)
def download_document(
    request: HttpRequest, patient_id: uuid.UUID, document_id: uuid.UUID
) -> HttpResponseBase:
    opened = document_open_for_user(user=actor(request), patient_id=patient_id, document_id=document_id)
    response = StreamingHttpResponse(_Chunks(opened.stream), content_type=opened.media_type)
    response["Content-Length"] = str(opened.size)
    response["Content-Disposition"] = content_disposition_header(True, opened.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
