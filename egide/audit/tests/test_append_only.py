from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, transaction

from egide.audit.models import Event, Head, Leaf, Subtree
from egide.audit.services import journal_update
from egide.audit.tests.journal import raw, record_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(keys: Path) -> list[int]:
    ids = record_events(4)
    journal_update(force_head=True)
    return ids


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET outcome = 'denied'",
        "DELETE FROM audit_event",
        "UPDATE audit_leaf SET event_id = event_id + 100",
        "DELETE FROM audit_leaf",
        "UPDATE audit_subtree SET level = 9",
        "DELETE FROM audit_subtree",
        "UPDATE audit_head SET key_version = 2",
        "DELETE FROM audit_head",
    ],
)
def test_it_refuses_updates_and_deletes_in_the_database(journal: list[int], sql: str) -> None:
    counts = (Event.objects.count(), Leaf.objects.count(), Subtree.objects.count(), Head.objects.count())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(sql)
    assert counts == (
        Event.objects.count(),
        Leaf.objects.count(),
        Subtree.objects.count(),
        Head.objects.count(),
    )


def test_it_refuses_an_orm_delete_of_an_event(journal: list[int]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(id=journal[0]).delete()
    assert Event.objects.filter(id=journal[0]).exists()
