"""The patient pages in the authorisation matrix (see egide/core/tests/access_matrix.py)."""

from __future__ import annotations

import uuid

from egide.accounts.models import Role
from egide.accounts.services import user_create
from egide.core.tests.access_matrix import (
    BREAK_GLASS,
    CLINICAL,
    IDENTITY,
    OUTSIDE_CARE_TEAM,
    PATIENT_STAFF,
    Call,
    Row,
    pdf_upload,
    personas,
)
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.patients.models import Patient

PATIENT_FORM = {
    "birth_name": "Matrice",
    "birth_first_names": "Dominique",
    "birth_date": "1975-05-05",
    "sex": "M",
    "identity_status": "PROV",
}

CARE_TEAM = {
    "care_team": personas("practitioner", "secretary"),
    "practice": personas("practitioner2", "secretary"),
    "other_practice": personas("outsider"),
}


def _newcomer(call: Call) -> dict[str, str]:
    """A practitioner of the patient's practice not yet in its care team (a fresh one per request)."""
    assert call.target is not None
    patient = Patient.objects.get(id=call.target.patient_id)
    newcomer = user_create(
        practice=patient.practice,
        username=f"dr.nouveau-{uuid.uuid4().hex[:8]}",
        password=PERSONA_PASSWORD,
        roles=(Role.PRATICIEN,),
        must_change_password=False,
    )
    return {"practitioner": str(newcomer.pk)}


ROWS = [
    Row("patients:list", allowed=PATIENT_STAFF),
    Row("patients:list", "POST", allowed=PATIENT_STAFF, data={"q": "Matrice"}, label="search"),
    Row("patients:new", allowed=PATIENT_STAFF),
    Row("patients:new", "POST", allowed=PATIENT_STAFF, data=PATIENT_FORM, ok={302}, redirect="/patients/"),
    # A practitioner outside the care team is offered break-the-glass (issue 5 item 7).
    Row("patients:detail", allowed=IDENTITY, sent=OUTSIDE_CARE_TEAM, sent_to=BREAK_GLASS),
    Row("patients:edit", allowed=IDENTITY),
    Row("patients:edit", "POST", allowed=IDENTITY, data=PATIENT_FORM, ok={302}, redirect="/patients/"),
    Row(
        "patients:note_new",
        "POST",
        allowed=CLINICAL,
        data={"text": "Revu ce jour."},
        ok={302},
        redirect="/patients/",
    ),
    Row(
        "patients:document_new",
        "POST",
        allowed=CLINICAL,
        data=lambda call: {"file": pdf_upload()},
        ok={302},
        redirect="/patients/",
    ),
    Row("patients:document_download", allowed=CLINICAL),
    # The secretariat or the care team adds a practitioner of the practice (never break-the-glass).
    Row(
        "patients:care_team_new",
        "POST",
        allowed=CARE_TEAM,
        data=_newcomer,
        ok={302},
        redirect="/patients/",
    ),
]
