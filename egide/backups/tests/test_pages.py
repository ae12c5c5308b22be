from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from egide.accounts.models import Practice, User
from egide.accounts.tests.logins import log_in_verified
from egide.audit.models import Event
from egide.backups.models import Destination


def test_the_administrator_adds_and_disables_a_destination_from_the_page(
    client: Client, admin_user: User, backup_ready: Path, local_destination: Path
) -> None:
    log_in_verified(client, admin_user)
    form = {"name": "usb", "kind": "local", "location": str(local_destination), "offline_warn_days": "7"}

    response = client.post(reverse("backups:destination_add"), form, follow=True)

    assert response.status_code == 200
    assert 'data-testid="destination-usb"' in response.content.decode()
    assert (local_destination / "config").is_file()  # its restic repository exists
    assert Event.objects.filter(action="backups:destination:added", actor_id=str(admin_user.pk)).exists()

    client.post(reverse("backups:destination_disable", kwargs={"name": "usb"}))

    assert not Destination.objects.get(name="usb").enabled


def test_the_dpo_reads_the_status_without_the_management_forms(
    client: Client, dpo: User, backup_ready: Path
) -> None:
    Destination.objects.create(name="nas", kind="rest", location="rest:http://127.0.0.1:1/")
    log_in_verified(client, dpo)

    page = client.get(reverse("backups:status")).content.decode()

    assert 'data-testid="destination-nas"' in page and 'data-testid="backup-reasons"' in page
    assert 'data-testid="destination-form"' not in page and "/suspendre/" not in page


def test_an_unreachable_location_is_refused_with_the_reason_and_nothing_is_added(
    client: Client, admin_user: User, backup_ready: Path
) -> None:
    log_in_verified(client, admin_user)
    form = {"name": "nas", "kind": "rest", "location": "rest:http://127.0.0.1:9/", "offline_warn_days": "7"}

    response = client.post(reverse("backups:destination_add"), form)

    assert response.status_code == 400
    assert not Destination.objects.exists()


def test_changing_destinations_asks_for_a_recent_authentication(
    client: Client, admin_user: User, backup_ready: Path, tmp_path: Path
) -> None:
    import time_machine

    with time_machine.travel("2026-11-23 09:00:00 +0000", tick=False) as clock:
        log_in_verified(client, admin_user)
        clock.shift(11 * 60)
        client.get("/")
        response = client.post(
            reverse("backups:destination_add"),
            {"name": "usb", "kind": "local", "location": str(tmp_path / "usb"), "offline_warn_days": 7},
        )
        assert str(response["Location"]).startswith("/reauthentification/")
    assert not Destination.objects.exists()


def test_on_a_shared_installation_only_the_operator_changes_destinations(
    client: Client, admin_user: User, other_practice: Practice, backup_ready: Path, local_destination: Path
) -> None:
    Destination.objects.create(name="nas", kind="rest", location="rest:http://127.0.0.1:1/")
    log_in_verified(client, admin_user)

    page = client.get(reverse("backups:status")).content.decode()
    form = {"name": "usb", "kind": "local", "location": str(local_destination), "offline_warn_days": "7"}
    added = client.post(reverse("backups:destination_add"), form)
    disabled = client.post(reverse("backups:destination_disable", kwargs={"name": "nas"}))

    assert 'data-testid="backup-operator"' in page and 'data-testid="destination-form"' not in page
    assert "/suspendre/" not in page
    assert added.status_code == disabled.status_code == 403
    assert "plusieurs cabinets" in added.content.decode()
    assert list(Destination.objects.values_list("name", "enabled")) == [("nas", True)]
    assert not (local_destination / "config").exists()
    denied = Event.objects.filter(action="backups:destination:changed", outcome="denied")
    assert sorted(denied.values_list("subject_id", flat=True)) == ["nas", "usb"]
    # The operator, on the server, still can.
    call_command("backup", "destination", "disable", "nas")
    assert not Destination.objects.get(name="nas").enabled
