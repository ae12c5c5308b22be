from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from egide.accounts.decorators import require_recent_auth, require_role
from egide.accounts.models import Role
from egide.accounts.selectors import current_user
from egide.audit.forms import JournalFilterForm
from egide.audit.leaves import EVENT_FIELDS, format_time
from egide.audit.selectors import (
    JournalFilter,
    actors_for_practice,
    events_for_practice,
    last_head,
    last_verification,
)
from egide.audit.services import journal_export_record

PAGE_SIZE = 100
# Every field of an event but the practice, which is the reader's own.
CSV_COLUMNS = tuple(field for field in EVENT_FIELDS if field != "practice_id")


def _filter_form(request: HttpRequest, practice_id: object) -> tuple[JournalFilterForm, JournalFilter]:
    form = JournalFilterForm(request.GET or None, actors=actors_for_practice(practice_id=practice_id))
    return form, form.journal_filter() if form.is_valid() else JournalFilter()


@require_GET
@require_role(Role.ADMIN, Role.DPO)
def journal(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form, filters = _filter_form(request, user.practice_id)
    page = Paginator(events_for_practice(practice_id=user.practice_id, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/journal.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "verification": last_verification(),
            "head": last_head(),
        },
    )


# A spreadsheet runs a cell starting with these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


# GET like every audited read (filters are opaque ids, not personal data), so that the
# re-authentication asked for an export comes back to it.
@require_GET
@require_role(Role.ADMIN, Role.DPO)
@require_recent_auth
def journal_export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form, filters = _filter_form(request, user.practice_id)
    events = list(
        events_for_practice(practice_id=user.practice_id, filters=filters).values_list(*CSV_COLUMNS)
    )
    writer = csv.writer(_Echo())
    lines = [writer.writerow(CSV_COLUMNS)]
    for row in events:
        lines.append(
            writer.writerow(
                [format_time(value) if index == 1 else _cell(value) for index, value in enumerate(row)]
            )
        )
    asked = "&".join(f"{key}={value}" for key, value in sorted(form.data.items()) if key != "page" and value)
    journal_export_record(actor=user, filters=asked, rows=len(events))
    response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-egide.csv"'
    return response
