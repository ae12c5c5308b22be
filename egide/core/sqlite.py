"""SQLite's write-ahead log is copied back into the database by the worker, not by a request.

In WAL mode (settings), each commit appends to ``egide.sqlite3-wal``; by default the commit that
takes the log past 1 000 pages also runs the checkpoint that copies it back, and with
``synchronous=NORMAL`` that checkpoint is the only write that waits for the disk (fsync). Whichever
request happened to commit then pays for it: about 10 ms on the benchmark machine, every dozen
searches or so, since each search records an audit event per patient listed.

So request connections checkpoint on their own only past SQLITE_AUTOCHECKPOINT_PAGES (a safety
net when no worker runs), and the worker runs a PASSIVE checkpoint every minute: it copies what it
can without waiting for, or blocking, any reader or writer (sqlite.org/wal.html, "Checkpointing").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import OperationalError, connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkpoint:
    log_pages: int  # pages in the write-ahead log
    copied_pages: int  # of those, now copied back into the database


def sqlite_checkpoint() -> Checkpoint | None:
    """A PASSIVE checkpoint of the SQLite database (None on PostgreSQL, which needs none)."""
    if connection.vendor != "sqlite":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            busy, log_pages, copied_pages = cursor.fetchone()
    except OperationalError as error:
        # Never fatal: the requests' own threshold (SQLITE_AUTOCHECKPOINT_PAGES) still holds.
        logger.warning("SQLite checkpoint not run: %s", error)
        return None
    if busy:
        logger.info("SQLite checkpoint deferred: the database was busy")
    return Checkpoint(log_pages=int(log_pages), copied_pages=int(copied_pages))
