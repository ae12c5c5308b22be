"""SFTP locations as restic takes them, and the ssh command restic starts for them.

ssh reads the keys and known_hosts of the account's passwd entry, not of $HOME: with
``BACKUP_SSH_CONFIG`` set, restic gets the whole ssh command (``-o sftp.command=...``) so that the
operator's client configuration (key, pinned host key) is the one used. Only a path and a host
go on the command line, never a secret; nothing in a location can reach ssh as an option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# What may stand for an account or a host on ssh's command line: no option (leading "-"), no
# space, no quote, no shell or ssh syntax.
_SSH_NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.+-]*")
_SSH_HOST = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*|\[?[0-9A-Fa-f:.]+\]?")


@dataclass(frozen=True)
class SftpAddress:
    """Account, host and port of an sftp: location (empty or None: ssh's configuration decides)."""

    user: str
    host: str
    port: int | None


def sftp_address(location: str) -> SftpAddress:
    """Parse the forms restic accepts: ``sftp:[user@]host:path`` and
    ``sftp://[user@]host[:port]/path`` (``//path`` for an absolute one).

    Raises ``ValueError`` for anything else, and for an account or host that ssh could take for
    an option (``-oProxyCommand=...``) or that carries a password.
    """
    if location.startswith("sftp://"):
        parts = urlsplit(location)
        if parts.password is not None:
            raise ValueError("an sftp location carries no password")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("invalid port in the sftp location") from None
        user, host = parts.username or "", parts.netloc.rpartition("@")[2]
        if port is not None or host.endswith(":"):
            host = host.rpartition(":")[0]
        if not parts.path.strip("/"):
            raise ValueError("no directory in the sftp location")
    elif location.startswith("sftp:"):
        account, separator, path = location.removeprefix("sftp:").partition(":")
        if not separator or not path:
            raise ValueError("an sftp location reads sftp:[user@]host:/path")
        user, _, host = account.rpartition("@")
        port = None
    else:
        raise ValueError("not an sftp location")
    if not _SSH_HOST.fullmatch(host):
        raise ValueError("invalid host in the sftp location")
    if user and not _SSH_NAME.fullmatch(user):
        raise ValueError("invalid account in the sftp location")
    if port == 0:
        raise ValueError("invalid port in the sftp location")
    return SftpAddress(user=user, host=host.strip("[]"), port=port)


def _command_path(path: str) -> str:
    """A path in the command restic splits on spaces and quotes: absolute, quoted when it holds
    a space; one holding a quote or a backslash is refused."""
    if not path.startswith("/") or any(char in path for char in "'\"\\\n"):
        raise ValueError(f"{path!r}: an absolute path without quotes or backslashes is needed")
    return f"'{path}'" if any(char.isspace() for char in path) else path


def sftp_command(location: str, ssh_config: str, log_file: str = "") -> str:
    """The ssh command restic starts for an sftp location (``-o sftp.command=``), reading the
    client configuration ``ssh_config``. BatchMode: ssh never waits for a password or a yes/no
    answer nobody is there to give; it fails, and the backup with it. ``log_file`` (``-E``)
    receives ssh's own messages: restic 0.14 may exit before relaying them.
    """
    config = _command_path(ssh_config)
    address = sftp_address(location)
    log = ["-E", _command_path(log_file)] if log_file else []
    port = ["-p", str(address.port)] if address.port is not None else []
    destination = f"{address.user}@{address.host}" if address.user else address.host
    # "-s" before "--": the subsystem flag; after "--", nothing is read as an option.
    return " ".join(
        ["ssh", "-F", config, "-o", "BatchMode=yes", *log, *port, "-s", "--", destination, "sftp"]
    )
