"""Background jobs of Pro Santé Connect (run by `egide worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egide.psc.services import psc_authorisations_purge


@db_periodic_task(crontab(minute="7"))  # type: ignore[untyped-decorator]  # huey is untyped
def psc_authorisations_purge_job() -> int:
    """Each "log in with PSC" click leaves a row; a day later it is no use even to spot a replay."""
    return psc_authorisations_purge()
