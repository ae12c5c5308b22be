"""Background jobs of the core (run by `egide worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.core.sqlite import sqlite_checkpoint


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def sqlite_checkpoint_job() -> int:
    """Copy SQLite's write-ahead log back into the database, off the requests' path."""
    checkpoint = sqlite_checkpoint()
    return checkpoint.copied_pages if checkpoint else 0
