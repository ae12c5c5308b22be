"""The patient's access trail as a French PDF, to hand to the patient (issue 5 item 8).

Like the recovery kit, the document is written in French whatever the reader's language: it is
given to the patient (CSP L.1111-7 access to one's health information; RGPD art. 15). Producing it
needs a fresh re-authentication (the view) and is traced.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from egide.access.selectors import trail_full
from egide.accounts.models import User
from egide.audit.actions import Action
from egide.core.errors import EgideError
from egide.patients.trace import patient_event


class PdfFailed(EgideError):
    code = "pdf_impossible"
    http_status = 500


def trail_pdf(*, user: User, patient_id: uuid.UUID) -> bytes:
    """Every access to the patient's record, newest first, as a PDF. Traced ``access:trail:printed``."""
    # Heavy import (Pango), only when a PDF is asked for; weasyprint ships no type information.
    from weasyprint import HTML

    trail = trail_full(user=user, patient_id=patient_id)
    with translation.override("fr"):
        html = render_to_string(
            "access/trail_pdf.html",
            {
                "trail": trail,
                "practice": user.practice,
                "printed_at": timezone.localtime(),
                "printed_by": user.label,
            },
        )
    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise PdfFailed("Le PDF de l'historique des accès n'a pas pu être produit.")
    with transaction.atomic():
        patient_event(Action.TRAIL_PRINTED, actor=user, patient_id=patient_id)
    return pdf
