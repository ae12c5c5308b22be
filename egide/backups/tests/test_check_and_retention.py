from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import time_machine

from egide.audit.models import Event
from egide.backups.models import CheckRun, Outcome
from egide.backups.services import backup_run, check_run, forget_run, read_data_subset_for, repository_for
from egide.backups.tests.conftest import DestinationMaker, RcloneServer


def test_the_daily_check_reads_a_different_seventh_of_the_data_each_day_of_the_week() -> None:
    monday = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    days = [read_data_subset_for(monday.replace(day=23 + offset)) for offset in range(7)]

    assert sorted(days) == [f"{n}/7" for n in range(1, 8)]


def test_it_checks_each_destination_reads_data_back_and_measures_its_size(
    destination_make: DestinationMaker, local_destination: Path
) -> None:
    usb = destination_make("usb", local_destination)
    backup_run()

    with time_machine.travel(datetime(2026, 11, 25, 2, 40, tzinfo=UTC)):  # a Wednesday
        results = check_run()

    assert [(r.destination, r.outcome, r.read_data_subset) for r in results] == [
        ("usb", Outcome.SUCCESS, "3/7")
    ]
    run = CheckRun.objects.get(destination=usb)
    assert run.size_bytes is not None and run.size_bytes > 0
    assert Event.objects.filter(
        action="backups:repository:checked", outcome="success", subject_id="usb"
    ).exists()


def test_retention_applies_to_ordinary_destinations_and_is_never_attempted_on_append_only_ones(
    destination_make: DestinationMaker, local_destination: Path, rclone_append_only: RcloneServer
) -> None:
    usb = destination_make("usb", local_destination)
    nas = destination_make("nas", rclone_append_only.repository())
    backup_run()
    backup_run()

    outcomes = forget_run()

    # Two backups the same day: the daily rule keeps the newest, the other one goes.
    assert outcomes == {"usb": ""}
    assert len(repository_for(usb).snapshots()) == 1
    assert len(repository_for(nas).snapshots()) == 2
    forgotten = Event.objects.filter(action="backups:snapshots:forgotten")
    assert list(forgotten.values_list("subject_id", "outcome")) == [("usb", "success")]
