"""A real OpenSSH server on loopback for the SFTP destination tests (Debian's openssh-server).

``SshServer`` (the ``sshd_server`` fixture of conftest.py, one per test): ``/usr/sbin/sshd -D``
on a free loopback port with a host key, an authorised client key and internal-sftp, all in the
test's own directory. The client side is the operator's: an ssh configuration (``ssh -F``) with
the client key, the pinned host key and StrictHostKeyChecking, given to Égide through
``settings.BACKUP_SSH_CONFIG``. The server runs as
the current account (root in the test containers: ``PermitRootLogin prohibit-password``) and
logs in as it, so a repository path is any absolute path it may write.
"""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from egide.backups.tests.processes import process_stop

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"
# The client configuration's name for the server (HostName, Port and User come from it).
HOST_ALIAS = "egide-sftp-test"
# sshd's privilege separation directory (Debian creates it from its service unit only).
PRIVSEP_DIR = Path("/run/sshd")
START_TIMEOUT_SECONDS = 15.0


def keygen(path: Path) -> Path:
    """A new ed25519 key pair at ``path`` (no passphrase); return the public key's path."""
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "egide-test", "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return path.with_name(path.name + ".pub")


@dataclass
class SshServer:
    """sshd serving SFTP on ``127.0.0.1:port`` from ``directory``."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _host_keys: int = 0

    @property
    def host_key(self) -> Path:
        return self.directory / f"host_key{self._host_keys}"

    @property
    def client_config(self) -> Path:
        return self.directory / "ssh_config"

    @property
    def log(self) -> Path:
        return self.directory / "sshd.log"

    def repository(self, name: str) -> str:
        """The short form, through the configuration's alias: sftp:alias:/absolute/path."""
        return f"sftp:{HOST_ALIAS}:{self.directory / 'repositories' / name}"

    def repository_url(self, name: str) -> str:
        """The URL form, with the account and port in it: sftp://user@127.0.0.1:port//path."""
        return f"sftp://{getpass.getuser()}@127.0.0.1:{self.port}/{self.directory / 'repositories' / name}"

    def prepare(self) -> None:
        """Keys, the server's and the client's configurations; the client pins this host key."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.new_host_key()
        client_public = keygen(self.directory / "client_key")
        authorized = self.directory / "authorized_keys"
        authorized.write_text(client_public.read_text(encoding="utf-8"), encoding="utf-8")
        known_hosts = self.directory / "known_hosts"
        host_public = self.host_key.with_name(self.host_key.name + ".pub").read_text(encoding="utf-8")
        known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_public}", encoding="utf-8")
        self.client_config.write_text(
            "\n".join(
                [
                    f"Host {HOST_ALIAS} 127.0.0.1",
                    "    HostName 127.0.0.1",
                    f"    Port {self.port}",
                    f"    User {getpass.getuser()}",
                    f"    IdentityFile {self.directory / 'client_key'}",
                    "    IdentitiesOnly yes",
                    f"    UserKnownHostsFile {known_hosts}",
                    "    GlobalKnownHostsFile /dev/null",
                    "    StrictHostKeyChecking yes",
                    "    BatchMode yes",
                    "    ConnectTimeout 5",
                    "",
                ]
            ),
            encoding="utf-8",
        )

    def new_host_key(self) -> None:
        """A fresh host key, used from the next start (the known_hosts file keeps the old one)."""
        self._host_keys += 1
        keygen(self.host_key)
        (self.directory / "sshd_config").write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {self.host_key}",
                    f"AuthorizedKeysFile {self.directory / 'authorized_keys'}",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "PermitRootLogin prohibit-password",
                    f"PidFile {self.directory / 'sshd.pid'}",
                    "Subsystem sftp internal-sftp",
                    "",
                ]
            ),
            encoding="utf-8",
        )

    def start(self) -> None:
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(self.directory / "sshd_config")],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log_text = self.log.read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"sshd exited with {self.process.returncode}: {log_text}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.settimeout(1)
                    if connection.recv(4).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("sshd did not answer in time")

    def stop(self) -> None:
        process_stop(self.process)
        self.process = None
