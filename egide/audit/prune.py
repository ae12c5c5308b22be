"""Rolling retention of event content (issue 3, item 6; CNIL "tracer les opérations":
6 to 12 months, regulatory-facts §5.4 [S31]; AUDIT_RETENTION_DAYS, 365 by default).

Only event rows are deleted, and only those already covered by a signed head: their
leaf hashes, the subtrees and the heads stay, so the tree, the heads and the proofs of
the remaining events stay verifiable. The horizon is written first (the delete trigger
reads it) and the pruning is itself recorded in the journal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egide.audit.actions import Action
from egide.audit.heads import head_latest
from egide.audit.locking import sequencer_lock
from egide.audit.models import Event, Leaf, PruneHorizon
from egide.audit.recording import Actor, audit_record

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneResult:
    deleted: int
    up_to_event: int


def prune_horizon_current() -> int:
    return PruneHorizon.objects.order_by("-up_to_event").values_list("up_to_event", flat=True).first() or 0


def journal_prune_content(*, actor: Actor | None = None, now: datetime | None = None) -> PruneResult:
    """Delete the content of events older than the retention period and covered by a head."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        sequencer_lock()
        head = head_latest()
        previous = prune_horizon_current()
        if head is None:
            return PruneResult(0, previous)
        covered = Leaf.objects.filter(leaf_index=head.size - 1).values_list("event_id", flat=True).get()
        # Event ids follow commit order only roughly in time: stop just before the first
        # event still within retention, so nothing younger than the cutoff is deleted.
        first_kept = (
            Event.objects.filter(id__lte=covered, time__gte=cutoff)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        up_to = covered if first_kept is None else first_kept - 1
        last_leaf = (
            Leaf.objects.filter(event_id__lte=up_to)
            .order_by("-leaf_index")
            .values_list("leaf_index", flat=True)
            .first()
        )
        if up_to <= previous or last_leaf is None:
            return PruneResult(0, previous)
        PruneHorizon.objects.create(up_to_event=up_to, up_to_leaf=last_leaf, time=now)
        deleted, _ = Event.objects.filter(id__lte=up_to).delete()
        audit_record(
            action=Action.JOURNAL_PRUNED,
            actor=actor,
            subject_type="audit-event",
            subject_id=up_to,
            justification=f"retention {settings.AUDIT_RETENTION_DAYS} days",
        )
    logger.info("audit journal: content of %s events pruned up to event %s", deleted, up_to)
    return PruneResult(deleted, up_to)
