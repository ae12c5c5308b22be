"""The status rules (issue 6, item 6), from recorded results: no restic needed.

Messages are compared through gettext: French once the catalogue has them, English until then.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from egide.backups.errors import FAULT_MESSAGES
from egide.backups.models import BackupRun, Destination, DrillRun, Outcome
from egide.backups.selectors import backup_status

pytestmark = pytest.mark.django_db


ONE_HEALTHY = ngettext(
    "Only %(count)s destination is healthy; at least %(minimum)s are needed (one of them "
    "away from the practice or append-only).",
    "Only %(count)s destinations are healthy; at least %(minimum)s are needed (one of them "
    "away from the practice or append-only).",
    1,
) % {"count": 1, "minimum": 2}
NO_DRILL = gettext("No restore drill has been run yet: run « egide backup drill ».")
OLD_DRILL = gettext("The last restore drill is more than %(days)s days old: run « egide backup drill ».") % {
    "days": 8
}
FAILED_DRILL = gettext("The last restore drill failed: %(message)s") % {
    "message": "3 documents do not decrypt."
}


def _destination(name: str, **flags: object) -> Destination:
    return Destination.objects.create(name=name, kind="local", location=f"/srv/{name}", **flags)


def _good(destination: Destination, hours_ago: float, snapshots: int = 3) -> BackupRun:
    when = timezone.now() - timedelta(hours=hours_ago)
    return BackupRun.objects.create(
        destination=destination,
        started_at=when,
        finished_at=when,
        outcome=Outcome.SUCCESS,
        snapshot_id=f"{destination.name:0<64}"[:64],
        snapshot_time=when,
        snapshot_count=snapshots,
    )


def _drill(days_ago: float, outcome: str = Outcome.SUCCESS, message: str = "") -> DrillRun:
    when = timezone.now() - timedelta(days=days_ago)
    return DrillRun.objects.create(
        started_at=when, finished_at=when, outcome=outcome, rto_seconds=42.0, message=message
    )


def test_it_is_healthy_with_two_fresh_destinations_and_a_recent_drill() -> None:
    _good(_destination("usb"), hours_ago=1)
    _good(_destination("nas"), hours_ago=2)
    _drill(days_ago=3)

    status = backup_status()

    assert (status.healthy, status.reasons, status.healthy_count) == (True, [], 2)
    assert [d.snapshot_count for d in status.destinations] == [3, 3]
    assert status.last_drill is not None and status.last_drill.rto_seconds == 42.0


def test_it_is_unhealthy_when_the_newest_good_backup_is_older_than_26_hours() -> None:
    _good(_destination("usb"), hours_ago=27)
    _good(_destination("nas"), hours_ago=30)
    _drill(days_ago=1)

    status = backup_status()

    assert not status.healthy
    assert (
        gettext("The newest good backup is %(hours)s hours old (more than %(limit)s hours).")
        % {"hours": 27, "limit": 26}
    ) in status.reasons
    assert status.healthy_count == 0


def test_it_needs_two_healthy_destinations() -> None:
    _good(_destination("usb"), hours_ago=1)
    _drill(days_ago=1)

    status = backup_status()

    assert status.reasons == [ONE_HEALTHY]


@pytest.mark.parametrize(
    ("drill_days", "outcome", "reason"),
    [
        (None, None, NO_DRILL),
        (9, Outcome.SUCCESS, OLD_DRILL),
        (1, Outcome.FAILURE, FAILED_DRILL),
    ],
)
def test_it_is_unhealthy_without_a_recent_successful_drill(
    drill_days: int | None, outcome: str | None, reason: str
) -> None:
    _good(_destination("usb"), hours_ago=1)
    _good(_destination("nas"), hours_ago=1)
    if drill_days is not None and outcome is not None:
        _drill(drill_days, outcome, "3 documents do not decrypt.")

    assert backup_status().reasons == [reason]


def test_a_failed_last_attempt_makes_its_destination_unhealthy_even_after_earlier_successes() -> None:
    usb = _destination("usb")
    _good(usb, hours_ago=2)
    _good(_destination("nas"), hours_ago=1)
    _drill(days_ago=1)
    BackupRun.objects.create(
        destination=usb,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome=Outcome.FAILURE,
        fault_kind="disk-full",
        message=str(FAULT_MESSAGES["disk-full"]),
    )

    status = backup_status()

    assert status.reasons == [
        gettext("Destination « %(name)s »: the last backup failed. %(message)s")
        % {"name": "usb", "message": FAULT_MESSAGES["disk-full"]},
        ONE_HEALTHY,
    ]


def test_a_removable_disk_is_healthy_within_its_days_and_warns_after() -> None:
    usb = _destination("usb", offline=True, offline_warn_days=7)
    _good(usb, hours_ago=5 * 24)
    _good(_destination("nas"), hours_ago=1)
    _drill(days_ago=1)
    assert backup_status().healthy

    BackupRun.objects.all().filter(destination=usb).update(started_at=timezone.now() - timedelta(days=8))
    BackupRun.objects.filter(destination=usb).update(finished_at=timezone.now() - timedelta(days=8))
    status = backup_status()

    assert status.warnings == [
        ngettext(
            "Removable destination « %(name)s » has not been connected for more than %(days)s "
            "day: plug it in for the next backup.",
            "Removable destination « %(name)s » has not been connected for more than %(days)s "
            "days: plug it in for the next backup.",
            7,
        )
        % {"name": "usb", "days": 7}
    ]
    assert not status.healthy


def test_a_disabled_destination_is_not_counted_and_says_so() -> None:
    _good(_destination("usb", enabled=False), hours_ago=1)
    _good(_destination("nas"), hours_ago=1)
    _drill(days_ago=1)

    status = backup_status()

    assert status.warnings == [
        gettext("Destination « %(name)s » is disabled: nothing is backed up to it.") % {"name": "usb"}
    ]
    assert status.healthy_count == 1 and not status.healthy
