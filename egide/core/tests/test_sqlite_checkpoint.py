"""The worker, not a request, copies SQLite's write-ahead log back into the database.

The test database is in memory (no log), so a real installation on SQLite, the default, runs in
a subprocess: it migrates, commits audit events as requests would, then runs the worker's job.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from egide.core.tests.cli import operator_env

_INSTALLATION = """
import json, django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from egide.audit.actions import Action
from egide.audit.recording import audit_record
from egide.core.tasks import sqlite_checkpoint_job
for _ in range(200):
    audit_record(action=Action.PATIENTS_SEARCHED, subject_type="search", subject_id="0")
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_autocheckpoint")
    threshold = cursor.fetchone()[0]
copied = sqlite_checkpoint_job.call_local()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
    busy, log_pages, copied_now = cursor.fetchone()
print(json.dumps([threshold, copied, busy, log_pages, copied_now]))
"""


def test_requests_leave_checkpoints_to_the_worker_which_copies_the_whole_log(tmp_path: Path) -> None:
    env = operator_env(tmp_path, DJANGO_SETTINGS_MODULE="egide.settings")
    env.pop("EGIDE_DATABASE_URL", None)  # an installation on SQLite, the default
    (tmp_path / "data").mkdir(mode=0o700)
    script = [sys.executable, "-c", _INSTALLATION]
    result = subprocess.run(script, env=env, capture_output=True, text=True, timeout=180, check=True)
    threshold, copied, busy, log_pages, copied_now = json.loads(result.stdout.strip().splitlines()[-1])

    assert threshold == 10_000  # a request checkpoints only past 10 000 pages of log
    assert copied > 0  # the commits were still in the log: the worker's job copied them back
    assert busy == 0 and copied_now == log_pages  # nothing left behind
