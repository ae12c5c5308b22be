from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.audit.actions import Action
from egide.audit.models import Event, Leaf
from egide.audit.selectors import event_inclusion_proof
from egide.audit.services import journal_prune, journal_update
from egide.audit.tests.journal import raw, record_events, triggers_lifted
from egide.audit.verify import VerificationFailed, journal_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged_journal(keys: Path, settings: SettingsWrapper, tmp_path: Path) -> tuple[list[int], list[int]]:
    """10 events 400 days old, then 5 recent ones; retention 365 days."""
    settings.AUDIT_HEADS_DIR = tmp_path / "heads"
    settings.AUDIT_RETENTION_DAYS = 365
    old = record_events(10)
    with triggers_lifted():
        raw("UPDATE audit_event SET time = %s", [timezone.now() - timedelta(days=400)])
    recent = record_events(5)
    return old, recent


def test_it_deletes_only_old_content_and_stays_verifiable(aged_journal: tuple[list[int], list[int]]) -> None:
    old, recent = aged_journal
    result = journal_prune()
    assert result.deleted == 10
    assert not Event.objects.filter(id__in=old).exists()
    assert Event.objects.filter(id__in=recent).count() == 5
    assert Leaf.objects.filter(event_id__in=old).count() == 10  # the tree keeps their hashes
    journal_update(force_head=True)
    report = journal_check()
    assert report.pruned == 10
    assert event_inclusion_proof(event_id=recent[0]).valid


def test_it_records_the_pruning_in_the_journal(aged_journal: tuple[list[int], list[int]]) -> None:
    result = journal_prune()
    event = Event.objects.get(action=Action.JOURNAL_PRUNED)
    assert event.subject_id == str(result.up_to_event)


def test_it_still_refuses_to_delete_above_the_horizon(aged_journal: tuple[list[int], list[int]]) -> None:
    _, recent = aged_journal
    journal_prune()
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_event WHERE id = %s", [recent[0]])
    with triggers_lifted():
        raw("DELETE FROM audit_event WHERE id = %s", [recent[0]])
    with pytest.raises(VerificationFailed, match=f"L'événement n°{recent[0]} .* a été supprimé"):
        journal_check()


def test_it_prunes_nothing_within_retention(keys: Path) -> None:
    record_events(3)
    assert journal_prune().deleted == 0
    assert Event.objects.filter(action=Action.ACCOUNT_CHANGED).count() == 3


def test_it_detects_a_horizon_forged_to_erase_recent_traces(keys: Path) -> None:
    ids = record_events(6)
    journal_update(force_head=True)
    record_events(3)
    journal_update(force_head=True)
    with triggers_lifted():  # only an INSERT is needed; triggers lifted for the DELETE
        raw(
            "INSERT INTO audit_prunehorizon (up_to_event, up_to_leaf, time) VALUES (%s, %s, %s)",
            [ids[-1] + 5, 9, timezone.now()],
        )
        raw("DELETE FROM audit_event WHERE id <= %s", [ids[-1] + 5])
    with pytest.raises(VerificationFailed, match="horizon de conservation efface le contenu"):
        journal_check()


def test_it_refuses_to_move_the_horizon_back(aged_journal: tuple[list[int], list[int]]) -> None:
    journal_prune()
    for sql in ("UPDATE audit_prunehorizon SET up_to_event = 0", "DELETE FROM audit_prunehorizon"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql)
