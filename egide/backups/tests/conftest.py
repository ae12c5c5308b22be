"""Backup fixtures shared by the backup and restore tests: real restic, real servers on loopback.

- ``rclone_append_only`` (one per test module): ``rclone serve restic --append-only`` on a free
  loopback port with its own directory; ``.repository(name)`` gives a fresh repository URL on it.
- ``rclone_server``: the same, one per test, for tests that stop and restart it.
- ``sshd_server``: OpenSSH's sshd (SFTP) on a free loopback port, one per test, with the ssh
  client configuration Égide reads (``BACKUP_SSH_CONFIG``) pinning its host key (``sshd.py``).
- ``local_destination``: a path for a local repository (a "USB disk").
- ``destination_make``: registers a destination through the service (its repository is created).
- ``backup_ready``: keys, a transactional database and the isolated directories a backup reads.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.backups.models import Destination
from egide.backups.services import destination_add
from egide.backups.tests.processes import process_stop
from egide.backups.tests.sshd import SshServer

RCLONE = shutil.which("rclone") or "/usr/bin/rclone"
START_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RcloneServer:
    """``rclone serve restic`` serving ``directory`` on ``127.0.0.1:port``."""

    directory: Path
    port: int
    append_only: bool = True
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _count: int = 0

    @property
    def url(self) -> str:
        return f"rest:http://127.0.0.1:{self.port}/"

    def repository(self, name: str | None = None) -> str:
        """The URL of a repository of its own on this server (a new name each call by default)."""
        if name is None:
            self._count += 1
            name = f"repo{self._count}"
        return f"{self.url}{name}/"

    def start(self) -> None:
        args = [RCLONE, "serve", "restic", "--addr", f"127.0.0.1:{self.port}", str(self.directory)]
        if self.append_only:
            args.insert(3, "--append-only")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rclone serve restic exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers (404/405 on the root): serving
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("rclone serve restic did not answer in time")

    def stop(self) -> None:
        process_stop(self.process)
        self.process = None


@contextlib.contextmanager
def rclone_serving(directory: Path, *, append_only: bool = True) -> Iterator[RcloneServer]:
    server = RcloneServer(directory=directory, port=free_port(), append_only=append_only)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def rclone_append_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RcloneServer]:
    with rclone_serving(tmp_path_factory.mktemp("rclone-append-only")) as server:
        yield server


@pytest.fixture
def rclone_server(tmp_path: Path) -> Iterator[RcloneServer]:
    """An append-only server of this test only (the test may stop and restart it)."""
    with rclone_serving(tmp_path / "rclone") as server:
        yield server


@pytest.fixture
def sshd_server(tmp_path: Path, settings: SettingsWrapper) -> Iterator[SshServer]:
    """sshd of this test only (the test may stop it, restart it, change its host key); Égide's
    ssh client configuration is the one that reaches it."""
    server = SshServer(directory=tmp_path / "sshd", port=free_port())
    server.prepare()
    server.start()
    settings.BACKUP_SSH_CONFIG = str(server.client_config)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def local_destination(tmp_path: Path) -> Path:
    """Where a local repository goes (a removable disk's folder), outside the data directory."""
    return tmp_path / "usb-disk" / "egide"


@pytest.fixture
def backup_ready(settings: SettingsWrapper, tmp_path: Path, keys: Path, transactional_db: None) -> Path:
    """An installation a backup can read: keys, a committed database, its own heads directory.

    transactional_db: the staging copy (SQLite backup API, pg_dump) reads committed data only.
    """
    settings.AUDIT_HEADS_DIR = tmp_path / "audit-heads"
    settings.BACKUP_CREDENTIALS_DIR = settings.KEY_DIR / "backup-credentials"
    Path(settings.DATA_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    return Path(settings.DATA_DIR)


DestinationMaker = Callable[..., Destination]


@pytest.fixture
def destination_make(backup_ready: Path) -> DestinationMaker:
    """``destination_make(name, location, kind=..., **flags)``: added through the service, so its
    repository is created with its derived password. The kind follows the location by default."""

    def make(name: str, location: str | Path, **options: Any) -> Destination:
        location = str(location)
        kind = options.pop(
            "kind", location.split(":", 1)[0] if location.startswith(("rest:", "sftp:")) else "local"
        )
        if kind == "rest":
            options.setdefault("append_only", True)
        return destination_add(name=name, kind=kind, location=location, **options)

    return make
