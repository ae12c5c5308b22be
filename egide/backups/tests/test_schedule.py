"""When the worker backs up: hourly, and sooner after a failure, with back-off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egide.backups.models import BackupRun, Destination, Outcome
from egide.backups.services import backup_due

pytestmark = pytest.mark.django_db


def _attempt(minutes_ago: int, outcome: str) -> None:
    destination = Destination.objects.get_or_create(name="usb", kind="local", location="/srv/usb")[0]
    when = timezone.now() - timedelta(minutes=minutes_ago)
    BackupRun.objects.create(destination=destination, started_at=when, finished_at=when, outcome=outcome)


def test_nothing_is_due_without_a_destination() -> None:
    assert not backup_due()


def test_the_first_backup_is_due_at_once() -> None:
    Destination.objects.create(name="usb", kind="local", location="/srv/usb")

    assert backup_due()


def test_after_a_success_the_next_backup_waits_for_the_interval() -> None:
    _attempt(59, Outcome.SUCCESS)
    assert not backup_due()

    assert backup_due(now=timezone.now() + timedelta(minutes=2))


def test_after_failures_it_retries_sooner_with_a_doubling_delay_up_to_the_interval() -> None:
    _attempt(6, Outcome.FAILURE)
    assert backup_due()  # 5 minutes after one failure

    _attempt(6, Outcome.FAILURE)
    assert not backup_due()  # 10 minutes after two
    assert backup_due(now=timezone.now() + timedelta(minutes=5))

    BackupRun.objects.all().delete()
    for minutes_ago in (200, 150, 120, 100, 80, 70, 59):
        _attempt(minutes_ago, Outcome.FAILURE)
    assert not backup_due()  # never longer than the interval itself
    assert backup_due(now=timezone.now() + timedelta(minutes=2))
