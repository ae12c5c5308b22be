"""Background jobs of the audit journal (run by `egide worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.audit.services import journal_prune, journal_update


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def journal_update_job() -> int:
    """Place new events in the tree and sign a head when one is due (every N events or T seconds)."""
    return journal_update().sequenced


@db_periodic_task(crontab(minute="17", hour="3"))  # type: ignore[untyped-decorator]  # huey is untyped
def journal_prune_job() -> int:
    """Nightly retention of event content (AUDIT_RETENTION_DAYS)."""
    return journal_prune().deleted
