"""One sequencer at a time, and on PostgreSQL no event left behind.

SQLite: transactions are IMMEDIATE (settings), so writes are serialised and event ids
commit in order: "every event above the last sequenced one" is exact.
PostgreSQL: an id is drawn when a row is inserted but becomes visible at commit, so a
slow transaction could commit a smaller id after the sequencer moved past it. Each
recording transaction therefore holds a shared advisory lock, and the sequencer takes
it exclusively: while it runs, every event it can see is committed and no smaller id
can appear later.
"""

from __future__ import annotations

from typing import Final

from django.db import connection

# An arbitrary constant naming the journal's advisory lock ("EGIDE" audit).
JOURNAL_LOCK_KEY: Final = 0x45474944_0003


def recording_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [JOURNAL_LOCK_KEY])


def sequencer_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [JOURNAL_LOCK_KEY])
