"""Servers the backup tests start (rclone, sshd): stopping them the same way."""

from __future__ import annotations

import subprocess


def process_stop(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate ``process`` if it still runs; kill it after 10 s."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
