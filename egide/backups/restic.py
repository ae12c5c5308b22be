"""A thin wrapper over the restic binary (Debian's package): Égide orchestrates, restic stores.

Secrets stay out of argument lists (visible to every account in ``ps``) and out of logs: the
repository password and location travel in the child's environment (RESTIC_PASSWORD,
RESTIC_REPOSITORY), which only the same account can read. The child gets a minimal environment,
never the whole of ours, so a stray RESTIC_* variable cannot redirect a backup.

restic retries a failing backend for about 45 seconds (exponential back-off) before giving up,
even when the answer cannot change (connection refused, 403 from an append-only server). We read
its stderr as it comes and interrupt it at the first line that names a permanent cause: the
operator gets the reason at once, and the worker's own retries with back-off take over. Exit
codes: restic 0.14 (Debian 12) only uses 0, 1 (fatal) and 3 (incomplete snapshot); 10, 11, 12
(no repository, locked, wrong password) come with restic 0.17, and 130 on interruption; stderr
patterns cover the older releases.

SFTP destinations: restic starts ``ssh``, which reads the keys and known_hosts of the account's
passwd entry, not of $HOME. With ``BACKUP_SSH_CONFIG`` set, restic is given the whole ssh command
(``-o sftp.command=ssh -F CONFIG ...``, built by ``sftp_command``) so that the operator's client
configuration (key, pinned host key) is the one used. Only a path and a host go on the command
line, never a secret.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from egide.backups.errors import BackupFault, FaultKind
from egide.backups.sftp import sftp_command

RESTIC = "restic"
# restic 0.17+ exit codes (older releases answer 1 and are recognised from stderr).
EXIT_INCOMPLETE = 3
EXIT_NO_REPOSITORY = 10
EXIT_LOCKED = 11
EXIT_WRONG_PASSWORD = 12
EXIT_INTERRUPTED = 130
# How long restic gets to release its lock after SIGINT before it is killed.
INTERRUPT_GRACE_SECONDS = 10
_DETAIL_LINES = 4
_DETAIL_CHARS = 500

# Lines that end the attempt at once: the cause will not go away within restic's retries.
_PERMANENT: tuple[tuple[re.Pattern[str], FaultKind], ...] = (
    # ssh (sftp destinations): the server's host key is not the pinned one, or none is pinned.
    (
        re.compile(
            r"host key verification failed|remote host identification has changed|"
            r"host key for .* has changed|no \S+ host key is known for",
            re.I,
        ),
        "host-key",
    ),
    (re.compile(r"no space left on device|disk quota exceeded", re.I), "disk-full"),
    (re.compile(r"\b403\b|forbidden|append[- ]only", re.I), "refused"),
    (
        re.compile(
            r"connection refused|no route to host|network is unreachable|no such host|"
            r"i/o timeout|connection reset by peer|host is down",
            re.I,
        ),
        "unreachable",
    ),
)
# Read after restic has exited, in this order.
_FINAL: tuple[tuple[re.Pattern[str], FaultKind], ...] = (
    (re.compile(r"wrong password|no key found", re.I), "wrong-password"),
    (re.compile(r"already locked|unable to create lock|repository is locked", re.I), "locked"),
    *_PERMANENT,
    (
        re.compile(
            r"is there a repository at the following location|repository does not exist|"
            r"unable to open config file",
            re.I,
        ),
        "unreachable",
    ),
)
_MISSING_REPOSITORY = re.compile(
    r"is there a repository at the following location|repository does not exist", re.I
)
_USERINFO = re.compile(r"(://)[^/@]*@")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    id: str
    short_id: str
    time: datetime
    tags: tuple[str, ...]
    paths: tuple[str, ...]
    # What this backup added to the repository (after deduplication); 0 when only listed.
    bytes_added: int = 0


@dataclass(frozen=True)
class AddedSnapshot:
    """What ``restic backup`` reports of the snapshot it wrote."""

    short_id: str
    bytes_added: int

    def resolve(self, listing: Sequence[Snapshot]) -> Snapshot:
        """This snapshot, found by its short id in a listing of the repository."""
        found = [snapshot for snapshot in listing if snapshot.id.startswith(self.short_id)]
        if len(found) != 1:
            raise BackupFault("failed", detail=f"snapshot {self.short_id} not listed after backup")
        return dataclasses.replace(found[0], bytes_added=self.bytes_added)


@dataclass(frozen=True)
class RepoKey:
    """One of the repository's keys (each opens it with its own password)."""

    id: str
    current: bool  # the key the password we opened it with unlocked


def redact(location: str) -> str:
    """The location without any user:password part (``rest:https://user:pw@host/``), for logs."""
    return _USERINFO.sub(r"\1***@", location)


def _parse_time(value: str) -> datetime:
    # restic writes RFC 3339 with nanoseconds, which fromisoformat (3.11) does not take.
    match = re.fullmatch(r"(.+?T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", value)
    if match is None:
        raise BackupFault("failed", detail=f"unexpected snapshot time {value!r}")
    fraction = (match[2] or ".0")[1:7].ljust(6, "0")
    zone = "+00:00" if match[3] == "Z" else match[3]
    return datetime.fromisoformat(f"{match[1]}.{fraction}{zone}").astimezone(UTC)


def _snapshot(raw: Mapping[str, Any]) -> Snapshot:
    return Snapshot(
        id=str(raw["id"]),
        short_id=str(raw.get("short_id") or str(raw["id"])[:8]),
        time=_parse_time(str(raw["time"])),
        tags=tuple(str(tag) for tag in raw.get("tags") or ()),
        paths=tuple(str(path) for path in raw.get("paths") or ()),
    )


def _classify(returncode: int, stderr: str) -> FaultKind:
    if returncode == EXIT_WRONG_PASSWORD:
        return "wrong-password"
    if returncode == EXIT_LOCKED:
        return "locked"
    for pattern, kind in _FINAL:
        if pattern.search(stderr):
            return kind
    if returncode == EXIT_NO_REPOSITORY:
        return "unreachable"
    if returncode < 0 or returncode == EXIT_INTERRUPTED:
        return "interrupted"
    return "failed"


def _detail(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # Go stack traces (restic prints them on some fatal errors) say nothing to an operator.
    lines = [line for line in lines if not line.startswith(("github.com/", "golang.org/", "runtime."))]
    return " | ".join(lines[-_DETAIL_LINES:])[-_DETAIL_CHARS:]


class _Stderr(threading.Thread):
    """Collects restic's stderr; interrupts restic at the first line naming a permanent cause."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.lines: list[str] = []
        self.permanent: FaultKind | None = None

    def run(self) -> None:
        if self.process.stderr is None:
            return
        for line in self.process.stderr:
            self.lines.append(line)
            if self.permanent is None:
                for pattern, kind in _PERMANENT:
                    if pattern.search(line):
                        self.permanent = kind
                        # SIGINT: restic removes its lock and exits (130).
                        self.process.send_signal(signal.SIGINT)
                        break


class Repository:
    """One restic repository (one destination), opened with its password.

    ``env`` adds backend settings (AWS_ACCESS_KEY_ID, RESTIC_REST_USERNAME, ...) to the child's
    environment; ``cache_dir`` defaults to ``<data dir>/restic-cache``; ``ssh_config`` (sftp
    locations) to ``BACKUP_SSH_CONFIG``, where empty means the system's ssh configuration.
    """

    def __init__(
        self,
        location: str,
        password: str,
        env: Mapping[str, str] | None = None,
        *,
        cache_dir: Path | None = None,
        ssh_config: str | None = None,
    ) -> None:
        if not password:
            raise ValueError("Un dépôt restic ne s'ouvre pas sans mot de passe.")
        self.location = location
        self._password = password
        self._extra_env = dict(env or {})
        self._cache_dir = cache_dir
        self._ssh_config = ssh_config

    def __repr__(self) -> str:
        return f"Repository({redact(self.location)!r})"

    # --- the child process ------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        cache_dir = self._cache_dir
        if cache_dir is None:
            from django.conf import settings

            cache_dir = Path(settings.DATA_DIR) / "restic-cache"
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            # sftp: ssh finds ~/.ssh through the passwd entry, not HOME; BACKUP_SSH_CONFIG
            # (``_global_options``) names another client configuration.
            "HOME": os.environ.get("HOME", "/nonexistent"),
            "LANG": "C.UTF-8",
            # --time and the snapshots' times are read and written in UTC.
            "TZ": "UTC",
            "TMPDIR": os.environ.get("TMPDIR", "/tmp"),  # noqa: S108 - the system's temp dir
            "RESTIC_CACHE_DIR": str(cache_dir),
            **self._extra_env,
            "RESTIC_REPOSITORY": self.location,
            "RESTIC_PASSWORD": self._password,
        }
        return environment

    def _ssh_config_path(self) -> str:
        """The ssh client configuration of an sftp location ("" for ssh's own)."""
        if not self.location.startswith("sftp:"):
            return ""
        if self._ssh_config is not None:
            return self._ssh_config
        from django.conf import settings

        return str(settings.BACKUP_SSH_CONFIG)

    def _global_options(self, ssh_log: Path | None = None) -> list[str]:
        """restic's options before the command: the ssh command of an sftp location, when a
        client configuration is set."""
        ssh_config = self._ssh_config_path()
        if not ssh_config:
            return []
        try:
            command = sftp_command(self.location, ssh_config, str(ssh_log) if ssh_log else "")
        except ValueError as error:
            raise BackupFault("failed", detail=f"sftp: {error}") from None
        return ["-o", f"sftp.command={command}"]

    def _run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        quiet: bool = False,
        pass_fds: Sequence[int] = (),
    ) -> str:
        """Run ``restic ARGS``; return its stdout, or raise ``BackupFault`` (logged unless ``quiet``:
        a failure the caller expects and handles)."""
        logger.info("restic %s on %s", args[0], redact(self.location))
        ssh_log: Path | None = None
        if self._ssh_config_path():
            handle, name = tempfile.mkstemp(prefix="egide-ssh-", suffix=".log")
            os.close(handle)
            ssh_log = Path(name)
        try:
            return self._run_logged(args, ssh_log, cwd=cwd, on_line=on_line, quiet=quiet, pass_fds=pass_fds)
        finally:
            if ssh_log is not None:
                ssh_log.unlink(missing_ok=True)

    def _run_logged(
        self,
        args: Sequence[str],
        ssh_log: Path | None,
        *,
        cwd: Path | None,
        on_line: Callable[[str], None] | None,
        quiet: bool,
        pass_fds: Sequence[int],
    ) -> str:
        process = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built here
            [RESTIC, *self._global_options(ssh_log), *args],
            cwd=cwd,
            env=self._environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            pass_fds=pass_fds,
        )
        stderr = _Stderr(process)
        stderr.start()
        stdout: list[str] = []
        try:
            for line in process.stdout or ():
                stdout.append(line)
                if on_line is not None:
                    on_line(line)
            process.wait()
        except BaseException:
            # Our own process is being stopped (KeyboardInterrupt, worker shutdown): stop restic
            # cleanly too, so it releases its lock.
            _stop(process)
            raise
        finally:
            stderr.join(timeout=INTERRUPT_GRACE_SECONDS)
        if process.returncode == 0:
            return "".join(stdout)
        text = "".join(stderr.lines)
        if ssh_log is not None:
            # ssh's messages (host key, refused connection), before restic's own last words.
            ssh_lines = ssh_log.read_text(encoding="utf-8", errors="replace").splitlines()
            text = "".join(f"ssh: {line}\n" for line in ssh_lines if line.strip()) + text
        kind = stderr.permanent or _classify(process.returncode, text)
        detail = _detail(text)
        (logger.debug if quiet else logger.warning)(
            "restic %s on %s failed (%s, exit %s): %s",
            args[0],
            redact(self.location),
            kind,
            process.returncode,
            detail,
        )
        raise BackupFault(kind, detail=detail)

    def _json(self, args: Sequence[str]) -> Any:
        output = self._run([*args, "--json"])
        try:
            return json.loads(output)
        except ValueError:
            raise BackupFault("failed", detail=f"restic {args[0]}: unreadable JSON output") from None

    # --- operations ------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether a repository answers at the location with this password (raises otherwise)."""
        try:
            self._run(["cat", "config"], quiet=True)
        except BackupFault as fault:
            if _MISSING_REPOSITORY.search(fault.detail):
                return False
            raise
        return True

    def init_if_needed(self) -> None:
        if not self.exists():
            self._run(["init"])
            logger.info("restic repository created on %s", redact(self.location))

    def backup(
        self,
        source: Path,
        tags: Sequence[str],
        *,
        progress: Callable[[float], None] | None = None,
    ) -> Snapshot:
        """Back up the content of ``source`` (paths inside the snapshot are relative to it)."""
        added = self.backup_only(source, tags, progress=progress)
        return added.resolve(self.snapshots())

    def backup_only(
        self,
        source: Path,
        tags: Sequence[str],
        *,
        progress: Callable[[float], None] | None = None,
    ) -> AddedSnapshot:
        """``restic backup``, and what its summary says (the snapshot's short id: restic 0.14
        prints no other; ``AddedSnapshot.resolve`` finds it in a listing).

        Exit code 3 (some files could not be read) is a failure: an incomplete snapshot is never
        a good backup, even though restic kept it.
        """
        started = datetime.now(UTC).replace(microsecond=0)
        summary: dict[str, Any] = {}

        def on_line(line: str) -> None:
            try:
                message = json.loads(line)
            except ValueError:
                return
            if not isinstance(message, dict):
                return
            if message.get("message_type") == "summary":
                summary.update(message)
            elif message.get("message_type") == "status" and progress is not None:
                progress(float(message.get("percent_done") or 0.0))

        tag_args = [item for tag in tags for item in ("--tag", tag)]
        self._run(
            ["backup", "--json", "--time", started.strftime("%Y-%m-%d %H:%M:%S"), *tag_args, "."],
            cwd=source,
            on_line=on_line,
        )
        short_id = str(summary.get("snapshot_id") or "")
        if not short_id:
            raise BackupFault("failed", detail="restic backup: no snapshot id in its summary")
        return AddedSnapshot(short_id=short_id, bytes_added=int(summary.get("data_added") or 0))

    def check_and_list(self) -> list[Snapshot]:
        """The quick ``check`` and, at the same time, the snapshot listing (oldest first).

        The listing reads without a lock (``--no-lock``) so that it does not wait for the check's
        exclusive one; both only read. Run side by side, the listing's key derivation (restic
        spends about half a second of scrypt opening a repository) costs no wall-clock time on a
        machine with two cores.
        """
        with ThreadPoolExecutor(max_workers=1) as pool:
            listing = pool.submit(self.snapshots, no_lock=True)
            self.check()
            return listing.result()

    def snapshots(self, tags: Sequence[str] = (), *, no_lock: bool = False) -> list[Snapshot]:
        """Every snapshot, oldest first (optionally only those carrying all ``tags``)."""
        tag_args = ["--tag", ",".join(tags)] if tags else []
        lock_args = ["--no-lock"] if no_lock else []
        raw = self._json(["snapshots", *lock_args, *tag_args]) or []
        return sorted((_snapshot(item) for item in raw), key=lambda snapshot: snapshot.time)

    def check(self, read_data_subset: str | None = None) -> None:
        """restic's structural check; with ``read_data_subset`` ("3/7"), also reads that part of
        the data back and verifies it."""
        subset = [f"--read-data-subset={read_data_subset}"] if read_data_subset else []
        self._run(["check", *subset])

    def restore(
        self,
        snapshot_id: str,
        target: Path,
        *,
        include: str | None = None,
    ) -> None:
        """Restore a snapshot (or "latest") into ``target``, created if needed; with ``include``
        (restic's --include), only the matching files: a journal or a keyring, without reading
        gigabytes of documents."""
        only = ["--include", include] if include else []
        self._run(["restore", snapshot_id, "--target", str(target), *only])

    def forget(self, keep_daily: int, keep_weekly: int, keep_monthly: int, prune: bool) -> None:
        """Apply the retention policy (never call it on an append-only destination: refused).

        One group for the whole repository: it only holds this installation's backups, and a
        new host name must not leave the old snapshots outside the policy for ever.
        """
        args = [
            "forget",
            "--group-by",
            "",
            "--keep-last",
            "1",
            "--keep-daily",
            str(keep_daily),
            "--keep-weekly",
            str(keep_weekly),
            "--keep-monthly",
            str(keep_monthly),
        ]
        self._run([*args, "--prune"] if prune else args)

    def size(self) -> int:
        """The repository's stored size (raw data, after deduplication and compression)."""
        raw = self._json(["stats", "--mode", "raw-data"])
        return int(raw.get("total_size") or 0)

    def key_add(self, new_password_file: Path) -> None:
        """Add a second password to the repository (a pruning machine's own, or the one derived
        from a new master key); the file is read by restic, the password never passes through us."""
        self._run(["key", "add", "--new-password-file", str(new_password_file)])

    def key_add_password(self, new_password: str) -> None:
        """Add a password Égide derived (after a new master key): handed to restic through a pipe,
        never written to a file nor put on the command line."""
        read_end, write_end = os.pipe()
        try:
            with os.fdopen(write_end, "w", encoding="utf-8") as pipe:
                pipe.write(new_password)  # far below a pipe's buffer: no deadlock
            self._run(["key", "add", "--new-password-file", f"/dev/fd/{read_end}"], pass_fds=(read_end,))
        finally:
            os.close(read_end)

    def key_list(self) -> list[RepoKey]:
        """The repository's keys (restic 0.14 lists their short ids)."""
        raw = self._json(["key", "list"]) or []
        return [RepoKey(id=str(item["id"]), current=bool(item.get("current"))) for item in raw]

    def key_current(self) -> str:
        """The id of the key our password opens (exactly one, or the listing is not trusted)."""
        current = [key.id for key in self.key_list() if key.current]
        if len(current) != 1:
            raise BackupFault("failed", detail=f"restic key list: {len(current)} current keys")
        return current[0]

    def key_remove(self, key_id: str) -> None:
        """Remove a key: its password no longer opens the repository. restic refuses to remove
        the key we opened it with; an append-only server refuses any removal (403)."""
        self._run(["key", "remove", key_id])

    def unlock(self) -> None:
        """Remove stale locks (those of processes that no longer run); live ones stay."""
        self._run(["unlock"])


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=INTERRUPT_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
