"""Durable, private file writes for the key directory.

The master key, the sealed master key, the wrapped keyring and the shredding journal must survive a
power cut at any instant (DESIGN invariant 3; small practices often have no UPS): a file is either
absent, or complete and synced, never half written.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def write_all(fd: int, data: bytes) -> None:
    """Write every byte: os.write may write less than asked (signals, full pipes, some file systems)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_all(fd: int) -> bytes:
    """Read a whole file through an already open descriptor (checked with fstat beforehand)."""
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(fd, 1 << 16, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def fsync_dir(directory: Path) -> None:
    """Make a created or renamed entry durable: POSIX only promises it once the directory is synced."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(directory: Path) -> None:
    """Create the key directory owner-only (0700), tightening it if it already exists."""
    directory.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # mkdir's mode is narrowed by the umask and ignored for an existing directory: set it explicitly.
    os.chmod(directory, PRIVATE_DIR_MODE)


def _write_temporary(directory: Path, data: bytes, mode: int) -> Path:
    temporary = directory / f".{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        # The umask may have changed the mode given to os.open; the file must have exactly `mode`.
        os.fchmod(fd, mode)
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        temporary.unlink(missing_ok=True)
        raise
    os.close(fd)
    return temporary


def write_new_file(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Create `path` with `data`, all or nothing; raise FileExistsError if it already exists.

    os.link is atomic and never overwrites, so a second `create` can never clobber an existing key.
    """
    temporary = _write_temporary(path.parent, data, mode)
    try:
        os.link(temporary, path)
    finally:
        temporary.unlink()
    fsync_dir(path.parent)


def replace_file(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Replace `path` with `data`, all or nothing (write, fsync, rename, fsync the directory)."""
    temporary = _write_temporary(path.parent, data, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
