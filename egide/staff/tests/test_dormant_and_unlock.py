"""Dormant accounts (issue 5 item 10) and the administrator's unlock (item 4)."""

from __future__ import annotations

import time_machine
from django.conf import settings
from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.staff.tasks import accounts_flag_dormant_job
from egide.staff.tests.helpers import logged_in


def test_it_flags_an_account_unused_for_90_days_once_and_shows_it(admin_user: User, secretary: User) -> None:
    with time_machine.travel("2026-01-05 08:00:00 +0000", tick=False) as clock:
        User.objects.filter(pk__in=[secretary.pk, admin_user.pk]).update(date_joined="2026-01-05T08:00:00Z")
        clock.shift(89 * 86400)
        assert accounts_flag_dormant_job.call_local() == 0
        clock.shift(2 * 86400)
        admin = logged_in(admin_user)  # the administrator logs in: not dormant
        assert accounts_flag_dormant_job.call_local() == 1
        assert accounts_flag_dormant_job.call_local() == 0  # flagged once
        row = admin.get("/equipe/").content.decode()
        assert 'data-testid="status-dormant"' in row
        assert row.count('data-testid="status-dormant"') == 1
    flags = Event.objects.filter(action=Action.ACCOUNT_DORMANT.value)
    assert [event.subject_id for event in flags] == [str(secretary.pk)]


def test_it_clears_the_flag_once_the_person_logs_in_again(admin_user: User, secretary: User) -> None:
    with time_machine.travel("2026-06-01 08:00:00 +0000", tick=False) as clock:
        User.objects.filter(pk=secretary.pk).update(date_joined="2026-01-01T08:00:00Z")
        accounts_flag_dormant_job.call_local()
        assert 'data-testid="status-dormant"' in logged_in(admin_user).get("/equipe/").content.decode()
        clock.shift(60)
        response = EgideClient().post(
            "/connexion/", {"username": secretary.username, "password": PERSONA_PASSWORD}
        )
        assert response.status_code == 302
        accounts_flag_dormant_job.call_local()
        assert 'data-testid="status-dormant"' not in logged_in(admin_user).get("/equipe/").content.decode()


def test_it_shows_a_locked_account_and_unlocks_it(admin_user: User, practitioner: User) -> None:
    stranger = EgideClient()
    with time_machine.travel("2026-11-23 09:00:00 +0000", tick=False) as clock:
        for _attempt in range(settings.LOGIN_MAX_FAILURES):
            clock.shift(61)  # past the progressive delay, within the lock window
            stranger.post("/connexion/", {"username": practitioner.username, "password": "pas-le-bon"})
        admin = logged_in(admin_user)
        refused = EgideClient().post(
            "/connexion/", {"username": practitioner.username, "password": PERSONA_PASSWORD}
        )
        assert refused.status_code == 429
        _check_unlock(admin, admin_user, practitioner)


def _check_unlock(admin: Client, admin_user: User, practitioner: User) -> None:
    member = admin.get(f"/equipe/{practitioner.pk}/").content.decode()
    assert 'data-testid="status-locked"' in member
    assert admin.post(f"/equipe/{practitioner.pk}/deverrouiller/").status_code == 302
    assert 'data-testid="status-locked"' not in admin.get(f"/equipe/{practitioner.pk}/").content.decode()
    unlocked = Event.objects.filter(
        subject_type="login-lock", subject_id=str(practitioner.pk), actor_id=str(admin_user.pk)
    )
    assert unlocked.exists()
    again = EgideClient().post(
        "/connexion/", {"username": practitioner.username, "password": PERSONA_PASSWORD}
    )
    assert again.status_code == 302  # past the password, on to the second factor
