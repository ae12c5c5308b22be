"""A drill stopped by an error nobody foresaw is a failed drill on record, never a silent gap."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.backups import drill
from egide.backups.models import DrillRun, Outcome
from egide.backups.selectors import backup_status
from egide.backups.tests.conftest import DestinationMaker


def test_an_unexpected_error_is_recorded_as_a_failed_drill(
    destination_make: DestinationMaker, local_destination: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    destination = destination_make("usb", local_destination)

    def stopped(*args: object) -> drill.DrillResult:
        raise RuntimeError("a value that must not reach the logs")

    # Inside our own code (as a timeout or a database refusal would): not a boundary we mock.
    monkeypatch.setattr(drill, "_drill", stopped)
    run = drill.drill_run(destination=destination)

    assert run.outcome == Outcome.FAILURE and "interrompu" in run.message
    assert "must not reach" not in run.message
    assert DrillRun.objects.get() == run
    reasons = " ".join(backup_status().reasons).lower()
    assert "exercice" in reasons or "drill" in reasons
