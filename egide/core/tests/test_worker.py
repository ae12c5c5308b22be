"""`egide worker` runs queued jobs from the SQLite queue, with no extra server."""

from __future__ import annotations

import subprocess
from pathlib import Path

from egide.core.tests.cli import egide_command, operator_env, run_egide

# Periodic jobs keep no result in huey: watch their effect instead (an expired session
# disappears), polling with a deadline.
ENQUEUE_AND_WAIT = """
import time
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.utils import timezone
from egide.accounts.tasks import sessions_purge_expired_job
Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
sessions_purge_expired_job()
deadline = time.monotonic() + 60
while Session.objects.exists() and time.monotonic() < deadline:
    time.sleep(0.2)
print("sessions left:", Session.objects.count())
"""


def test_the_worker_runs_a_job_enqueued_by_another_process(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    assert run_egide("init", env=env, cwd=tmp_path).returncode == 0
    worker = subprocess.Popen(
        egide_command("worker"),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        result = run_egide("manage", "shell", "-c", ENQUEUE_AND_WAIT, env=env, cwd=tmp_path)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert result.returncode == 0, result.stderr
    assert "sessions left: 0" in result.stdout
    assert "sessions_purge_expired_job" in output
