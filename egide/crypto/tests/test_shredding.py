"""Crypto-shredding journal: a destroyed key stays destroyed, across processes, restores and
crashes; an unreadable journal stops reads instead of forgetting an erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from egide.crypto.data_keys import new_data_key, new_data_key_id, unwrap_data_key, wrap_data_key
from egide.crypto.errors import JournalError
from egide.crypto.hierarchy import Keyring
from egide.crypto.shredding import ShreddingJournal


def test_it_starts_empty_when_nothing_was_shredded(tmp_path: Path) -> None:
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")

    assert not journal.contains("dk-1")
    assert journal.key_ids() == frozenset()


def test_it_records_destroyed_keys_durably_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "shredding.jsonl"
    ShreddingJournal(path).append("dk-1")
    ShreddingJournal(path).append("dk-2")

    records = [json.loads(line) for line in path.read_text().splitlines()]

    assert [record["key_id"] for record in records] == ["dk-1", "dk-2"]
    destroyed_at = datetime.fromisoformat(records[0]["destroyed_at"])
    assert destroyed_at.utcoffset() == UTC.utcoffset(None)
    assert abs((datetime.now(UTC) - destroyed_at).total_seconds()) < 60
    assert ShreddingJournal(path).contains("dk-2")


def test_it_records_a_key_once(tmp_path: Path) -> None:
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")
    journal.append("dk-1")
    journal.append("dk-1")

    assert len(journal.path.read_text().splitlines()) == 1


def test_it_sees_a_key_shredded_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "shredding.jsonl"
    web = ShreddingJournal(path)
    assert not web.contains("dk-9")

    ShreddingJournal(path).append("dk-9")

    assert web.contains("dk-9")


def test_it_merges_the_journal_of_a_backup(tmp_path: Path) -> None:
    live = ShreddingJournal(tmp_path / "live.jsonl")
    from_backup = ShreddingJournal(tmp_path / "backup.jsonl")
    live.append("dk-1")
    from_backup.append("dk-1")
    from_backup.append("dk-2")

    assert live.merge_from(from_backup.path) == 1
    assert live.merge_from(from_backup.path) == 0
    assert live.key_ids() == frozenset({"dk-1", "dk-2"})
    kept = [json.loads(line) for line in from_backup.path.read_text().splitlines()][1]
    assert json.loads(live.path.read_text().splitlines()[1]) == kept


def test_it_refuses_to_merge_a_missing_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="introuvable"):
        ShreddingJournal(tmp_path / "live.jsonl").merge_from(tmp_path / "absent.jsonl")


def test_it_ignores_then_cuts_a_record_torn_by_a_power_cut(tmp_path: Path) -> None:
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")
    journal.append("dk-1")
    with journal.path.open("ab") as file:
        file.write(b'{"destroyed_at": "2025-')

    assert journal.key_ids() == frozenset({"dk-1"})
    journal.append("dk-2")

    lines = journal.path.read_text().splitlines()
    assert [json.loads(line)["key_id"] for line in lines] == ["dk-1", "dk-2"]


def test_it_stops_reads_when_the_journal_is_corrupt(tmp_path: Path) -> None:
    keyring = Keyring.create()
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")
    data_key_id = new_data_key_id()
    wrapped = wrap_data_key(keyring, new_data_key(), b"place", data_key_id=data_key_id)
    journal.append("dk-1")
    journal.path.write_text(journal.path.read_text() + '{"key_id": 3}\n')

    with pytest.raises(JournalError, match="ligne 2"):
        journal.contains("dk-1")
    with pytest.raises(JournalError):
        unwrap_data_key(keyring, wrapped, b"place", data_key_id=data_key_id, journal=journal)
    with pytest.raises(JournalError):
        journal.append("dk-3")


def test_it_refuses_an_invalid_key_id(tmp_path: Path) -> None:
    journal = ShreddingJournal(tmp_path / "shredding.jsonl")

    with pytest.raises(ValueError, match="Identifiant"):
        journal.append('dk-1"\n{"key_id": "dk-2')
    assert not journal.path.exists()
