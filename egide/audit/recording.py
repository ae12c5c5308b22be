"""Recording an event: the one write every part calls, inside its own transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from egide.audit.actions import Action, Outcome
from egide.audit.context import current_context
from egide.audit.locking import recording_lock
from egide.audit.models import Event

logger = logging.getLogger(__name__)


class Actor(Protocol):
    """A staff account, as the journal sees it (no import of the accounts part)."""

    @property
    def pk(self) -> Any: ...

    @property
    def label(self) -> str: ...

    @property
    def practice_id(self) -> Any: ...


def _request_actor() -> Actor | None:
    context = current_context()
    user = getattr(context.request, "user", None) if context and context.request else None
    if user is None or not getattr(user, "is_authenticated", False) or not hasattr(user, "label"):
        return None
    actor: Actor = user
    return actor


def _event(
    *,
    action: Action,
    outcome: Outcome,
    actor: Actor | None,
    actor_label: str | None,
    practice_id: object | None,
    subject_type: str,
    subject_id: object,
    patient_id: object,
    justification: str,
) -> Event:
    if actor is None:
        actor = _request_actor()
    context = current_context()
    if practice_id is None and actor is not None:
        practice_id = actor.practice_id
    return Event(
        time=timezone.now(),
        actor_id=str(actor.pk) if actor is not None else "",
        actor_label=actor_label if actor_label is not None else (actor.label if actor is not None else ""),
        action=Action(action).value,
        practice_id=str(practice_id) if practice_id is not None else "",
        subject_type=subject_type,
        subject_id=str(subject_id),
        patient_id=str(patient_id),
        outcome=Outcome(outcome).value,
        justification=justification,
        request_id=context.request_id if context else "",
        source_ip=context.source_ip if context else "",
        user_agent_digest=context.user_agent_digest if context else "",
    )


def audit_record(
    *,
    action: Action,
    outcome: Outcome = Outcome.SUCCESS,
    actor: Actor | None = None,
    actor_label: str | None = None,
    practice_id: object | None = None,
    subject_type: str = "",
    subject_id: object = "",
    patient_id: object = "",
    justification: str = "",
) -> Event:
    """Append one event to the journal, in the caller's transaction.

    Call it inside the ``transaction.atomic`` of the action it records: both commit or
    neither does (DESIGN.md "Audit"). Request id, source IP, user-agent digest and, when
    not given, the actor come from the current request (``AuditContextMiddleware``).
    Opaque ids only: never a name, a note or any other personal data.
    """
    event = _event(
        action=action,
        outcome=outcome,
        actor=actor,
        actor_label=actor_label,
        practice_id=practice_id,
        subject_type=subject_type,
        subject_id=subject_id,
        patient_id=patient_id,
        justification=justification,
    )
    # savepoint=False: join the caller's transaction without an extra round trip.
    with transaction.atomic(savepoint=False):
        recording_lock()
        event.save(force_insert=True)
    logger.debug("audit event %s recorded: %s", event.id, event.action)
    return event


def audit_record_patients(*, action: Action, actor: Actor | None, patient_ids: Sequence[object]) -> None:
    """One event per patient (subject and patient alike), inserted together: a list of search
    results traces every patient shown without one round trip each."""
    events = [
        _event(
            action=action,
            outcome=Outcome.SUCCESS,
            actor=actor,
            actor_label=None,
            practice_id=None,
            subject_type="patient",
            subject_id=patient_id,
            patient_id=patient_id,
            justification="",
        )
        for patient_id in patient_ids
    ]
    with transaction.atomic(savepoint=False):
        recording_lock()
        Event.objects.bulk_create(events)
