"""Helpers shared by the journal's tests: fill the journal, tamper with it in raw SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from egide.audit.actions import Action
from egide.audit.recording import audit_record
from egide.audit.triggers import triggers_create, triggers_drop


def record_events(count: int, *, practice_id: object = "p-1", patient_prefix: str = "pat") -> list[int]:
    return [
        audit_record(
            action=Action.ACCOUNT_CHANGED,
            practice_id=practice_id,
            subject_type="account",
            subject_id=i,
            patient_id=f"{patient_prefix}-{i}",
        ).id
        for i in range(count)
    ]


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """What an attacker with write access to the database files does first."""
    triggers_drop(connection)
    try:
        yield
    finally:
        triggers_create(connection)


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
