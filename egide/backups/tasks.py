"""Background jobs of the backups part (run by `egide worker`).

The backup job wakes every 5 minutes and backs up when one is due (``backup_due``): every
BACKUP_INTERVAL_MINUTES, and after a failure sooner, with a delay doubling from
BACKUP_RETRY_MINUTES up to the interval. A worker that was stopped catches up at its first tick.
Checks and retention wait for a running backup (one operation at a time): they are retried.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.backups.services import backup_due, backup_run, check_run, forget_run
from egide.core.errors import Conflict, EgideError

logger = logging.getLogger(__name__)
# A check or retention that finds a backup running tries again later (huey retries).
RETRIES = 6
RETRY_DELAY_SECONDS = 10 * 60


@db_periodic_task(crontab(minute="*/5"))  # type: ignore[untyped-decorator]  # huey is untyped
def backup_job() -> int:
    """Back up when due; returns the number of good backups made."""
    if not backup_due():
        return 0
    try:
        results = backup_run()
    except Conflict:
        return 0  # a backup started from the command line is running
    except EgideError as error:
        # The master key is sealed, or the installation cannot be read: the status page shows the
        # backup growing old; the next tick tries again.
        logger.error("backup job: %s", error.code)
        return 0
    return sum(1 for result in results if result.good)


@db_periodic_task(  # type: ignore[untyped-decorator]  # huey is untyped
    crontab(minute="40", hour="2"), retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS
)
def check_job() -> int:
    """Daily: check every destination and read back today's seventh of its data."""
    return sum(1 for result in check_run(read_data=True) if result.outcome == "success")


@db_periodic_task(  # type: ignore[untyped-decorator]  # huey is untyped
    crontab(minute="10", hour="4"), retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS
)
def forget_job() -> int:
    """Daily: retention on the destinations that allow deletions (never the append-only ones)."""
    return sum(1 for message in forget_run().values() if not message)


@db_periodic_task(  # type: ignore[untyped-decorator]  # huey is untyped
    crontab(minute="20", hour="5", day_of_week="0"), retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS
)
def drill_job() -> list[str]:
    """Weekly restore drill of every enabled destination (Sunday night); each result is recorded
    by `drill_run`, which never raises, and the status turns unhealthy after 8 days without one."""
    from egide.backups.drill import drill_run
    from egide.backups.models import Destination

    return [
        str(drill_run(destination=destination).outcome)
        for destination in Destination.objects.filter(enabled=True).order_by("name")
    ]
