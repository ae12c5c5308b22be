"""Crypto-shredding journal: the ids of data keys destroyed on purpose.

Append-only JSON Lines, one ``{"destroyed_at": "<UTC ISO 8601>", "key_id": "dk-…"}`` per line.
It holds no secret, only opaque key ids: it is kept beside the keys and travels with every backup
and audit-head export. Every unwrap consults it, so an older copy of the database opened by Égide
stays erased, and a restore merges the newest journal it can find (`merge_from`)
(DESIGN "Cryptography", crypto-shredding).

Durability: a record is acknowledged only once written in one `write` and fsynced, under an
exclusive lock (web processes and the worker may shred at the same time). A power cut can only
leave an unterminated last line, which was never acknowledged: readers ignore it and the next
append cuts it off. Any other unreadable line raises `JournalError`: forgetting an erasure is worse
than refusing to read. POSIX only (flock), like the rest of the key directory handling.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from egide.crypto.envelope import KEY_ID_PATTERN
from egide.crypto.errors import JournalError
from egide.crypto.files import PRIVATE_FILE_MODE, fsync_dir, read_all, write_all


class ShreddingRecord(TypedDict):
    key_id: str
    destroyed_at: str  # UTC, ISO 8601


# (inode, size, mtime, ctime): any append, merge or replacement of the file changes one of them.
_FileStamp = tuple[int, int, int, int]


def _parse(data: bytes, path: Path) -> tuple[list[ShreddingRecord], int]:
    """Records of the complete lines, and the length of the complete part (without a torn tail)."""
    complete_length = data.rfind(b"\n") + 1
    records: list[ShreddingRecord] = []
    for number, line in enumerate(data[:complete_length].splitlines(), start=1):
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            record = None
        if (
            not isinstance(record, dict)
            or record.keys() != ShreddingRecord.__required_keys__
            or not isinstance(record["key_id"], str)
            or not KEY_ID_PATTERN.fullmatch(record["key_id"])
            or not isinstance(record["destroyed_at"], str)
        ):
            raise JournalError(
                f"Journal d'effacement illisible ({path}, ligne {number}) : restaurez-le depuis "
                "une sauvegarde ; Égide refuse de lire les données tant qu'il est illisible."
            )
        records.append(ShreddingRecord(key_id=record["key_id"], destroyed_at=record["destroyed_at"]))
    return records, complete_length


def _read(path: Path) -> list[ShreddingRecord]:
    return _parse(path.read_bytes(), path)[0]


class ShreddingJournal:
    """The journal file at `path`; a missing file is an empty journal (nothing shredded yet)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        # One attribute, replaced whole, so threads sharing the journal never see a torn cache.
        self._cache: tuple[_FileStamp, frozenset[str]] | None = None

    def key_ids(self) -> frozenset[str]:
        """Every destroyed key id; re-read only when the file changed, so it is cheap per unwrap."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return frozenset()
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        cache = self._cache
        if cache is not None and cache[0] == stamp:
            return cache[1]
        # An append between the stat and the read only makes this set larger than its stamp says;
        # the next call sees a new stamp and reads again. Never smaller: safe.
        key_ids = frozenset(record["key_id"] for record in _read(self.path))
        self._cache = (stamp, key_ids)
        return key_ids

    def contains(self, key_id: str) -> bool:
        return key_id in self.key_ids()

    def append(self, key_id: str) -> None:
        """Record `key_id` as destroyed, durably, before its wrapped copy is deleted."""
        if not KEY_ID_PATTERN.fullmatch(key_id):
            raise ValueError("Identifiant de clé invalide.")
        destroyed_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._append([ShreddingRecord(key_id=key_id, destroyed_at=destroyed_at)])

    def merge_from(self, other_path: Path | str) -> int:
        """Add every record of another journal (a backup's) not already here; return how many.

        Used after a restore so erasures made after the backup are applied again.
        """
        other = Path(other_path)
        try:
            records = _read(other)
        except FileNotFoundError:
            raise JournalError(f"Journal d'effacement introuvable : {other}.") from None
        return self._append(records)

    def _append(self, records: Iterable[ShreddingRecord]) -> int:
        created = not self.path.exists()
        lines: list[bytes] = []
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # released by close
            existing, complete_length = _parse(read_all(fd), self.path)
            if complete_length != os.fstat(fd).st_size:
                # A torn, never-acknowledged record: cut it so the next line starts clean.
                os.ftruncate(fd, complete_length)
            known = {record["key_id"] for record in existing}
            for record in records:
                if record["key_id"] not in known:
                    known.add(record["key_id"])
                    lines.append(json.dumps(record, sort_keys=True).encode("ascii") + b"\n")
            if lines:
                write_all(fd, b"".join(lines))
                os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.path.parent)
        return len(lines)
