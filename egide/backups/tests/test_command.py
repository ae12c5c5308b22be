"""`egide backup …` as the operator types it (management command, in process)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.translation import gettext

from egide.backups.models import Destination, DrillRun, Outcome
from egide.backups.restic import Repository
from egide.backups.tests.conftest import RcloneServer


def _backup(*args: str) -> str:
    out = io.StringIO()
    call_command("backup", *args, stdout=out)
    return out.getvalue()


def test_an_operator_adds_destinations_backs_up_and_reads_a_healthy_status(
    backup_ready: Path, local_destination: Path, rclone_append_only: RcloneServer
) -> None:
    assert "ajoutée" in _backup("destination", "add", "usb", str(local_destination))
    _backup("destination", "add", "nas", rclone_append_only.repository(), "--ajout-seul")
    listing = _backup("destination", "list")
    assert "usb\tlocal" in listing and "nas\trest" in listing and "ajout seul" in listing

    out = _backup("run")
    assert "nas : sauvegarde" in out and "usb : sauvegarde" in out
    DrillRun.objects.create(started_at=timezone.now(), outcome=Outcome.SUCCESS, rto_seconds=12.0)

    status = _backup("status")

    assert "Sauvegardes : en bon état." in status
    assert "remise en service en 12 s" in status


def test_status_exits_non_zero_with_its_reasons_when_unhealthy(backup_ready: Path) -> None:
    Destination.objects.create(name="usb", kind="local", location="/srv/usb")
    out = io.StringIO()

    with pytest.raises(SystemExit) as exited:
        call_command("backup", "status", stdout=out)

    assert exited.value.code == 1
    assert "SITUATION À CORRIGER" in out.getvalue()
    assert gettext("No good backup has been made yet.") in out.getvalue()


def test_run_without_destination_says_what_to_do(backup_ready: Path) -> None:
    with pytest.raises(CommandError, match="egide backup destination add"):
        _backup("run")


def test_a_destination_with_a_bad_name_or_location_is_refused_in_french(backup_ready: Path) -> None:
    with pytest.raises(CommandError) as refused:
        _backup("destination", "add", "Disque USB", "relative/path")

    assert gettext("Use lower-case letters, digits and hyphens only (for example « usb-1 »).") in str(
        refused.value
    )
    assert not Destination.objects.exists()


def test_a_trusted_pruning_machine_gets_its_own_repository_password(
    backup_ready: Path, local_destination: Path, tmp_path: Path
) -> None:
    _backup("destination", "add", "usb", str(local_destination))
    _backup("run")
    password_file = tmp_path / "pruner-password"
    password_file.write_text("the pruning machine's own password\n")

    _backup("key-add", "usb", str(password_file))

    pruner = Repository(
        str(local_destination), "the pruning machine's own password", cache_dir=tmp_path / "c"
    )
    assert len(pruner.snapshots()) == 1


def test_an_address_carrying_an_account_is_refused(backup_ready: Path) -> None:
    with pytest.raises(CommandError) as refused:
        _backup("destination", "add", "nas", "rest:https://egide:secret@nas.local:8000/egide/")

    assert "credentials" in str(refused.value) or "identifiants" in str(refused.value)
    assert not Destination.objects.exists()
