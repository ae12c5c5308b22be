"""Last use (time and IP) is recorded, at most once a minute so API calls do not each write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egide.accounts.models import ApiToken, TokenScope, User
from egide.accounts.tokens import token_create

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if "UPDATE" in query["sql"] and "accounts_apitoken" in query["sql"]
    ]


def test_it_records_time_and_ip_at_most_once_a_minute(
    api_client: Client, practitioner: User, lefevre: uuid.UUID
) -> None:
    token, value = token_create(user=practitioner, name="Intégration", scope=TokenScope.READ)
    headers = {"Authorization": f"Bearer {value}"}
    url = f"/api/v1/patients/{lefevre}"
    with time_machine.travel(START, tick=False):
        with CaptureQueriesContext(connection) as first:
            assert api_client.get(url, headers=headers, REMOTE_ADDR="192.0.2.10").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == START
        assert token.last_used_ip == "192.0.2.10"
        assert len(_writes(first)) == 1
    with time_machine.travel(START + timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as again:
            assert api_client.get(url, headers=headers, REMOTE_ADDR="192.0.2.20").status_code == 200
        assert _writes(again) == []
        token.refresh_from_db()
        assert token.last_used_at == START
    with time_machine.travel(START + timedelta(minutes=2), tick=False):
        assert api_client.get(url, headers=headers, REMOTE_ADDR="192.0.2.20").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == START + timedelta(minutes=2)
        assert token.last_used_ip == "192.0.2.20"
    assert ApiToken.objects.filter(last_used_ip="192.0.2.20").count() == 1
