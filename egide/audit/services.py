"""Every write on the audit journal (STYLE.md "The write path").

Other parts call ``audit_record`` inside their own transaction; the worker and the CLI
call the journal's upkeep: sequencing, signed heads, verification, retention.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from egide.audit.actions import Action, Outcome
from egide.audit.heads import head_due, head_sign
from egide.audit.models import Head
from egide.audit.prune import PruneResult, journal_prune_content
from egide.audit.recording import Actor, audit_record, audit_record_patients
from egide.audit.sequencer import journal_sequence
from egide.audit.verify import Progress, VerificationFailed, VerifyReport, journal_check

__all__ = [
    "Actor",
    "JournalUpdate",
    "PruneResult",
    "audit_record",
    "audit_record_patients",
    "journal_export_record",
    "journal_prune",
    "journal_update",
    "journal_verify",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JournalUpdate:
    sequenced: int
    head: Head | None


def journal_update(*, force_head: bool = False) -> JournalUpdate:
    """Sequence pending events, then sign a head if one is due (or ``force_head``)."""
    sequenced = journal_sequence()
    head = head_sign() if force_head or head_due() else None
    if head is not None:
        journal_sequence()  # the "head signed" event itself
    return JournalUpdate(sequenced, head)


def journal_verify(
    *, actor: Actor | None = None, exported_dir: Path | None = None, progress: Progress | None = None
) -> VerifyReport:
    """Verify the whole journal and record the run (its outcome) in the journal itself.

    Raises ``VerificationFailed`` naming the first bad position, after recording it.
    """
    journal_sequence()
    try:
        report = journal_check(exported_dir=exported_dir, progress=progress)
    except VerificationFailed as failure:
        with transaction.atomic():
            audit_record(action=Action.JOURNAL_VERIFIED, outcome=Outcome.FAILURE, actor=actor)
        logger.error("audit journal verification failed")
        raise failure from None
    with transaction.atomic():
        audit_record(
            action=Action.JOURNAL_VERIFIED, actor=actor, subject_type="audit-tree", subject_id=report.size
        )
    logger.info("audit journal verified: %s leaves, %s heads", report.size, report.heads)
    return report


def journal_prune(*, actor: Actor | None = None) -> PruneResult:
    """Sequence and sign first, so that every event old enough is covered by a head."""
    journal_update(force_head=True)
    return journal_prune_content(actor=actor)


def journal_export_record(*, actor: Actor, filters: str, rows: int) -> None:
    """An export of the journal is itself traced (what was asked, how many rows)."""
    with transaction.atomic():
        audit_record(
            action=Action.JOURNAL_EXPORTED,
            actor=actor,
            subject_type="audit-export",
            subject_id=rows,
            justification=filters,
        )
