"""Backup status: is the practice's data safe right now, and if not, why (in French).

Unhealthy (issue 6) when the newest good backup is older than BACKUP_MAX_AGE_HOURS (26 h: an
hourly schedule may miss a night, not a day), the last restore drill is older than
BACKUP_DRILL_MAX_AGE_DAYS (8: weekly plus a day) or failed, or fewer than
BACKUP_MIN_HEALTHY_DESTINATIONS destinations are healthy ("deux sauvegardes, externe + locale").
A destination is healthy when its latest attempt succeeded and is recent enough; an offline
destination (a disk taken away) only needs to have been seen within its offline_warn_days.
Read from what Égide recorded: the status page never waits on a destination.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egide.backups.models import BackupRun, CheckRun, Destination, DrillRun, Outcome


@dataclass(frozen=True)
class DestinationStatus:
    name: str
    kind: str
    location: str
    append_only: bool
    offline: bool
    enabled: bool
    last_success_at: datetime | None
    age: timedelta | None
    snapshot_count: int
    size_bytes: int | None
    last_attempt: BackupRun | None
    last_check: CheckRun | None
    last_seen_at: datetime | None
    healthy: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Status:
    destinations: list[DestinationStatus]
    newest_good_at: datetime | None
    last_drill: DrillRun | None
    healthy: bool
    reasons: list[str]
    warnings: list[str]

    @property
    def healthy_count(self) -> int:
        return sum(1 for destination in self.destinations if destination.healthy)


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def _last_size(destination: Destination) -> int | None:
    """The repository's size at the last daily check that measured it (None before)."""
    check = (
        CheckRun.objects.filter(destination=destination, size_bytes__isnull=False)
        .order_by("-started_at")
        .first()
    )
    return check.size_bytes if check else None


def _destination_status(destination: Destination, now: datetime) -> DestinationStatus:
    runs = BackupRun.objects.filter(destination=destination)
    last_good = runs.filter(outcome=Outcome.SUCCESS).exclude(snapshot_id="").order_by("-started_at").first()
    attempted = runs.exclude(outcome=Outcome.SKIPPED)
    last_attempt = attempted.order_by("-started_at").first()
    # Seen: restic reached the repository (a success, or a failure other than "unreachable").
    last_seen = attempted.exclude(fault_kind="unreachable").exclude(outcome=Outcome.RUNNING)
    last_seen_run = last_seen.order_by("-started_at").first()
    last_check = CheckRun.objects.filter(destination=destination).order_by("-started_at").first()
    problems: list[str] = []
    warnings: list[str] = []
    age = now - last_good.finished_at if last_good and last_good.finished_at else None
    name = destination.name
    if not destination.enabled:
        warnings.append(
            _("Destination « %(name)s » is disabled: nothing is backed up to it.") % {"name": name}
        )
    elif last_attempt is not None and last_attempt.outcome == Outcome.FAILURE:
        problems.append(
            _("Destination « %(name)s »: the last backup failed. %(message)s")
            % {"name": name, "message": last_attempt.message}
        )
    if last_check is not None and last_check.outcome == Outcome.FAILURE:
        problems.append(
            _("Destination « %(name)s »: the last check failed. %(message)s")
            % {"name": name, "message": last_check.message}
        )
    if destination.retiring_keys.filter(retired_at=None).exists():
        warnings.append(
            _(
                "The old recovery kit still opens destination « %(name)s » (master key replaced): "
                "once the new kit is printed, run « egide backup key-retire »."
            )
            % {"name": name}
        )
    if destination.enabled and destination.offline:
        limit = timedelta(days=destination.offline_warn_days)
        seen_at = last_seen_run.started_at if last_seen_run else None
        if seen_at is None or now - seen_at > limit:
            warnings.append(
                ngettext(
                    "Removable destination « %(name)s » has not been connected for more than %(days)s "
                    "day: plug it in for the next backup.",
                    "Removable destination « %(name)s » has not been connected for more than %(days)s "
                    "days: plug it in for the next backup.",
                    destination.offline_warn_days,
                )
                % {"name": name, "days": destination.offline_warn_days}
            )
        fresh = age is not None and age <= limit
    else:
        fresh = age is not None and age <= timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
        if destination.enabled and last_good is None and last_attempt is None:
            problems.append(_("Destination « %(name)s » has no backup yet.") % {"name": name})
    healthy = destination.enabled and fresh and not problems
    return DestinationStatus(
        name=name,
        kind=destination.kind,
        location=destination.location,
        append_only=destination.append_only,
        offline=destination.offline,
        enabled=destination.enabled,
        last_success_at=last_good.finished_at if last_good else None,
        age=age,
        snapshot_count=last_good.snapshot_count if last_good else 0,
        size_bytes=_last_size(destination),
        last_attempt=last_attempt,
        last_check=last_check,
        last_seen_at=last_seen_run.started_at if last_seen_run else None,
        healthy=healthy,
        problems=problems,
        warnings=warnings,
    )


def backup_status(*, now: datetime | None = None) -> Status:
    """Per destination and overall; ``reasons`` say in French why the status is unhealthy."""
    now = now or timezone.now()
    destinations = [_destination_status(d, now) for d in Destination.objects.order_by("name")]
    reasons: list[str] = []
    warnings = [warning for status in destinations for warning in status.warnings]
    goods = [status.last_success_at for status in destinations if status.last_success_at]
    newest = max(goods) if goods else None
    max_age = timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    if newest is None:
        reasons.append(_("No good backup has been made yet."))
    elif now - newest > max_age:
        reasons.append(
            _("The newest good backup is %(hours)s hours old (more than %(limit)s hours).")
            % {"hours": _hours(now - newest), "limit": settings.BACKUP_MAX_AGE_HOURS}
        )
    for status in destinations:
        reasons.extend(status.problems)
    healthy_count = sum(1 for status in destinations if status.healthy)
    minimum = settings.BACKUP_MIN_HEALTHY_DESTINATIONS
    if healthy_count < minimum:
        reasons.append(
            ngettext(
                "Only %(count)s destination is healthy; at least %(minimum)s are needed (one of them "
                "away from the practice or append-only).",
                "Only %(count)s destinations are healthy; at least %(minimum)s are needed (one of them "
                "away from the practice or append-only).",
                healthy_count,
            )
            % {"count": healthy_count, "minimum": minimum}
        )
    drill = DrillRun.objects.exclude(outcome=Outcome.RUNNING).order_by("-started_at").first()
    drill_limit = timedelta(days=settings.BACKUP_DRILL_MAX_AGE_DAYS)
    if drill is None:
        reasons.append(_("No restore drill has been run yet: run « egide backup drill »."))
    elif drill.outcome != Outcome.SUCCESS:
        reasons.append(_("The last restore drill failed: %(message)s") % {"message": drill.message})
    elif now - drill.started_at > drill_limit:
        reasons.append(
            _("The last restore drill is more than %(days)s days old: run « egide backup drill ».")
            % {"days": settings.BACKUP_DRILL_MAX_AGE_DAYS}
        )
    return Status(
        destinations=destinations,
        newest_good_at=newest,
        last_drill=drill,
        healthy=not reasons,
        reasons=reasons,
        warnings=warnings,
    )


def destinations_list() -> list[Destination]:
    return list(Destination.objects.order_by("name"))
