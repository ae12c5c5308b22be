"""Background jobs of the accounts part (run by `egide worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.accounts.services import sessions_purge_expired
from egide.accounts.throttling import login_throttles_purge


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]  # huey is untyped
def sessions_purge_expired_job() -> int:
    """Expired sessions are dead weight and a list of who used Égide when: purge them."""
    return sessions_purge_expired()


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]  # huey is untyped
def login_throttles_purge_job() -> int:
    """Old failure counters only grow the table (one row per username ever mistyped): purge them."""
    return login_throttles_purge()
