"""Sessions (issue 5 item 5): my sessions, ending them, the administrator's view, the absolute lifetime."""

from __future__ import annotations

import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from egide.accounts.models import Role, RoleAssignment, User
from egide.accounts.tests.logins import EgideClient
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.staff.models import SessionRecord
from egide.staff.sessions import SESSION_RECORD_KEY, session_key_hash
from egide.staff.tests.helpers import actions_about, lands_on_login, logged_in


def _record_of(client: Client) -> SessionRecord:
    return SessionRecord.objects.get(id=client.session[SESSION_RECORD_KEY])


def test_it_lists_my_sessions_with_the_current_one_marked(practitioner: User) -> None:
    office = logged_in(practitioner, user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0")
    logged_in(practitioner, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36")
    page = office.get("/compte/sessions/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Firefox · Windows" in content
    assert "Chrome · Android" in content
    assert content.count('data-testid="current-session"') == 1
    assert f'data-testid="session-{_record_of(office).id}"' in content


def test_it_logs_out_a_session_i_end_from_another_computer(practitioner: User) -> None:
    office = logged_in(practitioner)
    forgotten = logged_in(practitioner)
    ended = _record_of(forgotten)
    forgotten_key = forgotten.session.session_key
    response = office.post(f"/compte/sessions/{ended.id}/terminer/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=forgotten_key).exists()  # really gone, server side
    assert lands_on_login(forgotten)
    assert office.get("/").status_code == 200
    assert not SessionRecord.objects.filter(id=ended.id).exists()
    assert Action.SESSION_ENDED.value in actions_about(ended.id)


def test_it_ends_all_my_other_sessions_and_keeps_this_one(practitioner: User) -> None:
    office = logged_in(practitioner)
    others = [logged_in(practitioner), logged_in(practitioner)]
    office.post("/compte/sessions/terminer-les-autres/")
    assert all(lands_on_login(other) for other in others)
    assert office.get("/compte/sessions/").status_code == 200
    assert SessionRecord.objects.filter(user=practitioner).count() == 1


def test_it_answers_someone_elses_session_as_missing(practitioner: User, practitioner2: User) -> None:
    mine = logged_in(practitioner)
    theirs = logged_in(practitioner2)
    response = mine.post(f"/compte/sessions/{_record_of(theirs).id}/terminer/")
    assert response.status_code == 404
    assert theirs.get("/").status_code == 200


def test_it_expires_a_session_after_its_absolute_lifetime_even_when_active(practitioner: User) -> None:
    with time_machine.travel("2026-11-23 07:00:00 +0000", tick=False) as clock:
        client = logged_in(practitioner)
        record_id = _record_of(client).id
        # Busy all day: a page every 10 minutes, never idle for the 15 minutes of the idle timeout.
        for _step in range(6 * 11 + 5):
            clock.shift(10 * 60)
            assert client.get("/").status_code == 200
        clock.shift(10 * 60)  # 12 h 00 after login
        assert lands_on_login(client, "/compte/sessions/")
        assert lands_on_login(client)
    expired = Event.objects.get(subject_id=str(record_id))
    assert expired.action == Action.SESSION_EXPIRED.value
    assert expired.actor_id == str(practitioner.pk)


def test_it_keeps_the_idle_timeout(practitioner: User) -> None:
    with time_machine.travel("2026-11-23 07:00:00 +0000", tick=False) as clock:
        client = logged_in(practitioner)
        clock.shift(16 * 60)
        assert lands_on_login(client)


def test_it_records_a_real_login_under_a_digest_of_its_new_session_key(practitioner: User) -> None:
    client = EgideClient(HTTP_USER_AGENT="Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15")
    client.get("/connexion/")
    before_login = client.session.session_key
    response = client.post("/connexion/", {"username": practitioner.username, "password": PERSONA_PASSWORD})
    assert response.status_code == 302
    record = _record_of(client)
    assert record.device_label == "Safari · macOS"
    assert record.ip == "127.0.0.1"
    # Django gave the session a new key at login; only a digest of that key is kept.
    session_key = client.session.session_key
    assert session_key is not None
    assert session_key != before_login
    assert record.key_hash == session_key_hash(session_key)
    assert session_key not in str(list(SessionRecord.objects.values_list()))
    client.post("/deconnexion/")
    assert not SessionRecord.objects.filter(id=record.id).exists()


def test_it_lets_an_administrator_end_the_sessions_of_an_account_of_the_practice(
    admin_user: User, practitioner: User
) -> None:
    admin = logged_in(admin_user)
    laptop, desktop = logged_in(practitioner), logged_in(practitioner)
    page = admin.get(f"/equipe/{practitioner.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="session-') == 2
    admin.post(f"/equipe/{practitioner.pk}/sessions/{_record_of(laptop).id}/terminer/")
    assert lands_on_login(laptop)
    assert desktop.get("/").status_code == 200
    admin.post(f"/equipe/{practitioner.pk}/sessions/terminer/")
    assert lands_on_login(desktop)
    assert admin.get("/").status_code == 200


def test_it_refuses_an_administrator_of_another_practice(
    admin_user: User, practitioner: User, outsider: User
) -> None:
    RoleAssignment.objects.create(user=outsider, role=Role.ADMIN)
    foreign_admin = logged_in(outsider)
    victim = logged_in(practitioner)
    record = _record_of(victim)
    assert foreign_admin.get(f"/equipe/{practitioner.pk}/").status_code == 404
    assert foreign_admin.post(f"/equipe/{practitioner.pk}/sessions/{record.id}/terminer/").status_code == 404
    assert foreign_admin.post(f"/equipe/{practitioner.pk}/sessions/terminer/").status_code == 404
    # Through one's own account's URL, the other practice's session is still missing.
    assert foreign_admin.post(f"/equipe/{outsider.pk}/sessions/{record.id}/terminer/").status_code == 404
    assert victim.get("/").status_code == 200


def test_it_keeps_the_session_pages_from_non_administrators(practitioner: User, secretary: User) -> None:
    client = logged_in(secretary)
    assert client.get("/equipe/").status_code == 404
    assert client.get(f"/equipe/{practitioner.pk}/").status_code == 404


def test_it_links_my_sessions_from_the_dashboard_and_the_team_for_administrators(
    admin_user: User, practitioner: User
) -> None:
    practitioner_home = logged_in(practitioner).get("/").content.decode()
    assert 'href="/compte/sessions/"' in practitioner_home
    assert 'href="/equipe/"' not in practitioner_home
    assert 'href="/equipe/"' in logged_in(admin_user).get("/").content.decode()


def test_it_logs_me_out_when_i_end_this_very_session(practitioner: User) -> None:
    client = logged_in(practitioner)
    response = client.post(f"/compte/sessions/{_record_of(client).id}/terminer/")
    assert response["Location"] == "/connexion/"
    assert lands_on_login(client)
    assert not SessionRecord.objects.filter(user=practitioner).exists()


def test_it_logs_out_an_administrator_who_ends_all_their_own_sessions(admin_user: User) -> None:
    admin = logged_in(admin_user)
    response = admin.post(f"/equipe/{admin_user.pk}/sessions/terminer/")
    assert response["Location"] == "/connexion/"
    assert lands_on_login(admin)


def test_a_new_password_ends_my_other_sessions_at_once_and_keeps_this_one(practitioner: User) -> None:
    office = logged_in(practitioner)
    forgotten = logged_in(practitioner)
    ended = _record_of(forgotten)

    response = office.post(
        "/mot-de-passe/",
        {
            "old_password": PERSONA_PASSWORD,
            "new_password1": "Une toute nouvelle phrase, 2026 !",
            "new_password2": "Une toute nouvelle phrase, 2026 !",
        },
    )

    assert response.status_code == 302
    # Gone from "Mes sessions" at once, not when it next asks for a page; journalled as ended.
    assert list(SessionRecord.objects.filter(user=practitioner)) == [_record_of(office)]
    assert Action.SESSION_ENDED.value in actions_about(ended.id)
    assert lands_on_login(forgotten)
    assert office.get("/compte/sessions/").status_code == 200
