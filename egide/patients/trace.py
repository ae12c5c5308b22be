"""The vault's audit events about one patient: subject and patient are the same opaque id."""

from __future__ import annotations

import uuid

from egide.accounts.models import User
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.audit.services import audit_record


def patient_event(
    action: Action,
    *,
    actor: User | None,
    patient_id: uuid.UUID,
    outcome: Outcome = Outcome.SUCCESS,
    practice_id: uuid.UUID | None = None,
    justification: str = "",
) -> Event:
    """Record ``action`` on a patient, in the caller's transaction (DESIGN.md "Audit").

    ``justification``: the break-the-glass grant the access was made under (``Access.justification``).
    """
    return audit_record(
        action=action,
        outcome=outcome,
        actor=actor,
        practice_id=practice_id,
        subject_type="patient",
        subject_id=patient_id,
        patient_id=patient_id,
        justification=justification,
    )
