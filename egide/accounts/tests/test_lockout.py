"""Throttling and lockout: progressive delays, a lock after N failures, unlock by time or by an admin."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import LoginThrottle, User
from egide.accounts.throttling import login_lock_clear, login_throttles_purge
from egide.audit.models import Event
from egide.core.errors import NotFound
from egide.core.tests.personas import PERSONA_PASSWORD

WRONG = {"username": "dr.martin", "password": "pas-le-bon-mot-de-passe"}
RIGHT = {"username": "dr.martin", "password": PERSONA_PASSWORD}


def _fail(client: Client, times: int, clock: time_machine.Traveller, username: str = "dr.martin") -> None:
    for _attempt in range(times):
        clock.shift(61)  # past the progressive delay (at most 60 s)
        assert client.post("/connexion/", {**WRONG, "username": username}).status_code == 200


@pytest.fixture
def lock_after_three(settings: SettingsWrapper) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCK_MINUTES = 15


def test_it_asks_to_wait_longer_after_each_failure(client: Client, practitioner: User) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 4, clock)
        clock.shift(1)
        refused = client.post("/connexion/", RIGHT)
        assert refused.status_code == 429
        assert refused.context["refusal"].wait_seconds == 1  # 2 s after the 4th failure
        clock.shift(1)
        assert client.post("/connexion/", RIGHT).status_code == 302


def test_it_locks_after_n_failures_and_unlocks_after_the_delay(
    lock_after_three: None, client: Client, practitioner: User
) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 3, clock)
        clock.shift(61)
        locked = client.post("/connexion/", RIGHT)  # even the right password
        assert locked.status_code == 429
        assert locked.context["refusal"].locked
        assert locked.context["refusal"].wait_minutes == 14  # 15 minutes from the third failure
        clock.shift(13 * 60)
        assert client.post("/connexion/", RIGHT).status_code == 429
        clock.shift(2 * 60)
        assert client.post("/connexion/", RIGHT).status_code == 302
    lock_events = Event.objects.filter(action="accounts:session:login-failed", outcome="denied")
    assert list(lock_events.values_list("actor_id", flat=True)) == [str(practitioner.pk)]


def test_an_unknown_username_is_locked_the_same_way(lock_after_three: None, client: Client, db: None) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 3, clock, username="personne")
        clock.shift(61)
        assert client.post("/connexion/", {**WRONG, "username": "personne"}).status_code == 429


def test_an_admin_unlocks_an_account_of_her_practice(
    lock_after_three: None, client: Client, practitioner: User, admin_user: User, outsider: User
) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 3, clock)
        with pytest.raises(NotFound):
            login_lock_clear(actor=outsider, username="dr.martin")
        with pytest.raises(NotFound):  # not an administrator
            login_lock_clear(actor=practitioner, username="dr.martin")
        assert login_lock_clear(actor=admin_user, username="dr.martin") is True
        assert client.post("/connexion/", RIGHT).status_code == 302


def test_one_address_trying_many_usernames_is_locked(
    settings: SettingsWrapper, client: Client, practitioner: User
) -> None:
    settings.LOGIN_IP_MAX_FAILURES = 3
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        for username in ("a.dupont", "b.durand", "c.petit"):
            _fail(client, 1, clock, username=username)
        assert client.post("/connexion/", RIGHT).status_code == 429
        other_address = Client(REMOTE_ADDR="192.0.2.7")
        assert other_address.post("/connexion/", RIGHT).status_code == 302


def test_old_counters_are_purged_but_not_running_locks(
    lock_after_three: None, client: Client, practitioner: User
) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 1, clock, username="personne")  # 09:01
        clock.shift(10 * 60)
        _fail(client, 3, clock)  # 09:12 to 09:14: dr.martin locked until 09:29
        clock.shift(3 * 60)
        assert login_throttles_purge() == 1  # "personne", 16 minutes old
        assert LoginThrottle.objects.count() == 2  # dr.martin's lock and the address's counter
        clock.shift(15 * 60)
        assert login_throttles_purge() == 2


def test_unicode_variants_of_a_username_share_its_lock(
    lock_after_three: None, client: Client, practitioner: User
) -> None:
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        _fail(client, 3, clock)
        clock.shift(61)
        full_width = "\uff44r.martin"  # "dr.martin" with a full-width d, which NFKC folds
        assert client.post("/connexion/", {**RIGHT, "username": full_width}).status_code == 429
        assert client.post("/connexion/", {**RIGHT, "username": "DR.MARTIN"}).status_code == 429
