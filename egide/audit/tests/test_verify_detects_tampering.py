"""`egide audit verify` finds each tampering done directly in the database, and names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.audit.heads import head_export
from egide.audit.leaves import EVENT_FIELDS, canonical_fields, leaf_bytes
from egide.audit.merkle import leaf_hash
from egide.audit.models import Event, Head, Leaf, Subtree
from egide.audit.services import journal_update
from egide.audit.tests.journal import raw, record_events, triggers_lifted
from egide.audit.verify import VerificationFailed, journal_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal(keys: Path, settings: SettingsWrapper, tmp_path: Path) -> list[int]:
    """27 events and 3 signed heads (sizes 9, 19, 29), exported to their directory."""
    settings.AUDIT_HEAD_EVERY_EVENTS = 10
    settings.AUDIT_HEADS_DIR = tmp_path / "heads"
    ids: list[int] = []
    for _ in range(3):
        ids += record_events(9)
        journal_update(force_head=True)
    for head in Head.objects.all():
        head_export(head)  # on_commit does not run inside the test's transaction
    return ids


def failure(tmp_path: Path) -> str:
    with pytest.raises(VerificationFailed) as caught:
        journal_check(exported_dir=tmp_path / "heads")
    return str(caught.value)


def test_it_accepts_an_untouched_journal(journal: list[int], tmp_path: Path) -> None:
    report = journal_check(exported_dir=tmp_path / "heads")
    assert report.size == Leaf.objects.count() == 30  # 27 events and 3 "head signed"
    assert (report.heads, report.exported) == (3, 3)


def test_it_names_an_edited_field(journal: list[int], tmp_path: Path) -> None:
    target = journal[12]
    with triggers_lifted():
        raw("UPDATE audit_event SET outcome = 'denied' WHERE id = %s", [target])
    assert f"L'événement n°{target} (feuille n°" in failure(tmp_path)
    assert "modifié" in failure(tmp_path)


def test_it_names_a_deleted_event(journal: list[int], tmp_path: Path) -> None:
    target = journal[5]
    with triggers_lifted():
        raw("DELETE FROM audit_event WHERE id = %s", [target])
    assert f"L'événement n°{target} (feuille n°5) a été supprimé" in failure(tmp_path)


def test_it_names_the_first_of_two_swapped_rows(journal: list[int], tmp_path: Path) -> None:
    first, second = journal[3], journal[20]
    with triggers_lifted():
        raw("UPDATE audit_event SET id = -1 WHERE id = %s", [first])
        raw("UPDATE audit_event SET id = %s WHERE id = %s", [first, second])
        raw("UPDATE audit_event SET id = %s WHERE id = -1", [second])
    assert f"L'événement n°{first} (feuille n°3) a été modifié" in failure(tmp_path)


def test_it_names_a_truncated_tail(journal: list[int], tmp_path: Path) -> None:
    with triggers_lifted():
        raw("DELETE FROM audit_subtree WHERE first_leaf >= 16")
        raw("DELETE FROM audit_leaf WHERE leaf_index >= 16")
        raw("DELETE FROM audit_event WHERE id >= %s", [journal[15]])
    message = failure(tmp_path)
    assert "La tête signée de taille 19 (base de données) compte 19 événements" in message
    assert "tronquée" in message


def test_it_names_a_replaced_head(journal: list[int], tmp_path: Path) -> None:
    head = Head.objects.get(size=19)
    forged = head.checkpoint.replace("\n19\n", "\n18\n")
    with triggers_lifted():
        raw("UPDATE audit_head SET checkpoint = %s WHERE size = 19", [forged])
    assert "La tête signée de taille 19 (base de données) est invalide" in failure(tmp_path)


def test_it_names_an_altered_subtree(journal: list[int], tmp_path: Path) -> None:
    with triggers_lifted():
        raw("UPDATE audit_subtree SET hash = %s WHERE level = 2 AND first_leaf = 8", [b"\x00" * 32])
    assert "niveau 2 couvrant les feuilles n°8 à n°11" in failure(tmp_path)


def test_it_detects_a_rewritten_journal_through_the_exported_heads(
    journal: list[int], tmp_path: Path, settings: SettingsWrapper
) -> None:
    """The strongest attacker: triggers dropped, every table rewritten, heads re-signed."""
    rows = list(Event.objects.order_by("id").values_list(*EVENT_FIELDS))
    with triggers_lifted():
        raw("UPDATE audit_event SET outcome = 'denied' WHERE id = %s", [journal[0]])
        for table in ("audit_subtree", "audit_leaf", "audit_head"):
            raw(f"DELETE FROM {table}")  # noqa: S608
    settings.AUDIT_HEADS_DIR = tmp_path / "rewritten"  # the forger's own exports
    journal_update(force_head=True)
    assert Leaf.objects.count() == len(rows) + 1
    assert journal_check().size == len(rows) + 1  # consistent with itself…
    message = failure(tmp_path)  # …but not with the heads exported before
    assert "La tête exportée 00000000000000000009.checkpoint" in message
    assert Subtree.objects.exists()
    assert leaf_hash(leaf_bytes(canonical_fields(rows[0]))) != bytes(Leaf.objects.get(leaf_index=0).hash)
    assert connection.vendor in {"sqlite", "postgresql"}
