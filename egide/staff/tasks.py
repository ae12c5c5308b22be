"""Background jobs of the staff part (run by `egide worker`, found by huey's autodiscovery)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.staff.services import accounts_flag_dormant
from egide.staff.sessions import session_records_purge


@db_periodic_task(crontab(minute="5", hour="3"))  # type: ignore[untyped-decorator]  # huey is untyped
def accounts_flag_dormant_job() -> int:
    """Daily: accounts without a login for EGIDE_DORMANT_DAYS are flagged for the administrator."""
    return accounts_flag_dormant()


@db_periodic_task(crontab(minute="*/15"))  # type: ignore[untyped-decorator]  # huey is untyped
def session_records_purge_job() -> int:
    """Records of sessions that died of idleness or age are only a list of who used Égide when."""
    return session_records_purge()
