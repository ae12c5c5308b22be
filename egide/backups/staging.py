"""What a backup contains: one consistent staging directory that restic then stores.

::

    manifest.json            format 1, Égide version, database vendor, schema, counts, sha256 of files
    database/egide.sqlite3   SQLite online backup API (a consistent copy of a live WAL database)
    database/egide.pgdump    or pg_dump -Fc, taken in the snapshot the counts were read in
    blobs/                   the encrypted documents (hard links when possible: written once, never
                             changed, and restic then sees unchanged files between backups)
    audit-heads/             the signed tree heads exported outside the database
    keys/keyring.wrapped     root keys wrapped by the master key: useless without it
    keys/shredding.journal   ids of destroyed data keys (no secret): erased patients stay erased

Never the master key (or its sealed file), the secret key, a key in clear or a restic password.

Order, so that what the copy names exists in the copy: audit heads first (a head is exported
after its events commit, so every head copied is in the database copy), then the database, then
blobs (a blob is written before its row commits) and the keys (the keyring has every root version
the database's data keys are wrapped under; the journal lists every key the copy no longer has).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from egide.backups.errors import BackupFault, FaultKind
from egide.crypto.runtime import JOURNAL_FILE, KEYRING_FILE
from egide.patients.documents import blob_dir

MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = 1
SQLITE_DUMP = "database/egide.sqlite3"
POSTGRES_DUMP = "database/egide.pgdump"
BLOBS = "blobs"
AUDIT_HEADS = "audit-heads"
KEYS = "keys"
# Digests of blobs already hashed by an earlier backup (blob names and ciphertext digests only).
DIGEST_CACHE = "backup-digests.json"
# Only these two files of the key directory ever leave it (README "What is stored where").
KEY_FILES = (KEYRING_FILE, JOURNAL_FILE)
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Manifest:
    format: int
    egide_version: str
    database_vendor: str
    schema: dict[str, str]
    created_at: str
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read ``manifest.json`` (the file, or the staging directory holding it)."""
        if path.is_dir():
            path = path / MANIFEST_FILE
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != MANIFEST_FORMAT:
            raise ValueError(_("Unknown backup manifest format: %(format)s.") % {"format": raw.get("format")})
        return cls(
            format=int(raw["format"]),
            egide_version=str(raw["egide_version"]),
            database_vendor=str(raw["database_vendor"]),
            schema={str(app): str(name) for app, name in raw["schema"].items()},
            created_at=str(raw["created_at"]),
            counts={str(table): int(count) for table, count in raw["counts"].items()},
            files={str(name): str(digest) for name, digest in raw["files"].items()},
        )

    def write(self, directory: Path) -> None:
        text = json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False)
        (directory / MANIFEST_FILE).write_text(text + "\n", encoding="utf-8")

    @property
    def database_file(self) -> str:
        return SQLITE_DUMP if self.database_vendor == "sqlite" else POSTGRES_DUMP

    def verify(self, directory: Path) -> list[str]:
        """Problems found comparing ``directory`` with this manifest (empty when it matches)."""
        problems: list[str] = []
        present = set(_relative_files(directory)) - {MANIFEST_FILE}
        for name, digest in sorted(self.files.items()):
            if name not in present:
                problems.append(_("Missing file: %(name)s.") % {"name": name})
            elif _sha256(directory / name) != digest:
                problems.append(_("File altered (checksum differs): %(name)s.") % {"name": name})
        for name in sorted(present - set(self.files)):
            problems.append(_("File not listed in the manifest: %(name)s.") % {"name": name})
        return problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _relative_files(directory: Path) -> Iterator[str]:
    for root, _dirs, files in os.walk(directory):
        for name in files:
            yield (Path(root) / name).relative_to(directory).as_posix()


def _copy_tree(source: Path, target: Path, *, link: bool) -> None:
    """Copy regular files of ``source`` into ``target`` (0700 dirs, 0600 files); with ``link``,
    hard-link them when both sit on the same file system."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for root, _dirs, files in os.walk(source):
        relative = Path(root).relative_to(source)
        (target / relative).mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in files:
            origin, copy = Path(root) / name, target / relative / name
            if name.endswith(".tmp") or not origin.is_file():
                continue  # a file being written (heads, blobs): not part of the consistent copy
            if link:
                try:
                    os.link(origin, copy)
                    continue
                except OSError:
                    link = False  # another file system, or links refused: copy from now on
            shutil.copyfile(origin, copy)
            copy.chmod(0o600)


def _schema_and_counts(cursor: Any, tables: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    schema: dict[str, str] = {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    for app, name in cursor.fetchall():
        schema[str(app)] = str(name)
    counts: dict[str, int] = {}
    for table in sorted(tables):
        # Table names come from the database's own catalogue, quoted as identifiers.
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        counts[table] = int(cursor.fetchone()[0])
    return schema, counts


def _stage_sqlite(target: Path) -> tuple[dict[str, str], dict[str, int]]:
    """SQLite's online backup API: a page-consistent copy while the practice keeps working."""
    dump = target / SQLITE_DUMP
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(dump)
    try:
        source.backup(copy)  # all pages in one step: one read transaction, one consistent state
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [str(row[0]) for row in cursor.fetchall()]
        # The counts come from the copy itself, so they describe exactly what was saved.
        return _schema_and_counts(cursor, tables)
    finally:
        copy.close()
        dump.chmod(0o600)


def postgres_environment(database: Mapping[str, Any]) -> dict[str, str]:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if database.get(key):
            environment[variable] = str(database[key])
    if database.get("PASSWORD"):
        # The environment, not the command line: `ps` shows arguments to every account.
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    return environment


def _stage_postgres(target: Path) -> tuple[dict[str, str], dict[str, int]]:
    """pg_dump -Fc in the very snapshot the counts are read in (an exported snapshot)."""
    import psycopg

    database = connection.settings_dict
    environment = postgres_environment(database)
    dump = target / POSTGRES_DUMP
    with psycopg.connect(
        host=environment.get("PGHOST"),
        port=environment.get("PGPORT"),
        user=environment.get("PGUSER"),
        dbname=environment.get("PGDATABASE"),
        password=environment.get("PGPASSWORD"),
    ) as pg:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = pg.execute("SELECT pg_export_snapshot()").fetchone()
        snapshot = str(row[0]) if row else ""
        cursor = pg.cursor()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [str(table) for (table,) in cursor.fetchall()]
        schema, counts = _schema_and_counts(cursor, tables)
        result = subprocess.run(  # noqa: S603 - fixed binary, arguments built here
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(dump)],  # noqa: S607
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        pg.rollback()
    if result.returncode != 0:
        kind: FaultKind = "disk-full" if "No space left on device" in result.stderr else "failed"
        raise BackupFault(kind, detail=f"pg_dump: {result.stderr.strip()[-500:]}")
    dump.chmod(0o600)
    return schema, counts


def database_vendor() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def stage(target: Path) -> Manifest:
    """Fill ``target`` (absent or empty) with a consistent copy of the installation."""
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise ValueError(f"Le répertoire de préparation {target} n'est pas vide.")
    try:
        return _stage_into(target)
    except OSError as error:
        raise BackupFault(
            "disk-full" if error.errno == errno.ENOSPC else "failed", detail=f"staging: {error.strerror}"
        ) from None
    except sqlite3.Error as error:
        raise BackupFault(
            "disk-full" if "full" in str(error) else "failed", detail=f"staging: {error}"
        ) from None


def _stage_into(target: Path) -> Manifest:
    created_at = datetime.now(UTC).isoformat(timespec="seconds")
    _copy_tree(Path(settings.AUDIT_HEADS_DIR), target / AUDIT_HEADS, link=False)
    (target / "database").mkdir(mode=0o700)
    vendor = database_vendor()
    schema, counts = _stage_sqlite(target) if vendor == "sqlite" else _stage_postgres(target)
    _copy_tree(blob_dir(), target / BLOBS, link=True)
    keys = target / KEYS
    keys.mkdir(mode=0o700)
    for name in KEY_FILES:
        origin = Path(settings.KEY_DIR) / name
        if origin.is_file():
            shutil.copyfile(origin, keys / name)
            (keys / name).chmod(0o600)
    files = _digests(target)
    manifest = Manifest(
        format=MANIFEST_FORMAT,
        egide_version=_egide_version(),
        database_vendor=vendor,
        schema=schema,
        created_at=created_at,
        counts=counts,
        files=files,
    )
    manifest.write(target)
    return manifest


def _digests(target: Path) -> dict[str, str]:
    """SHA-256 of every staged file. Blobs are written once under a random name and never change,
    so their digests are remembered between runs (keyed by inode, size and mtime: a blob that
    changed anyway is hashed again); everything else is hashed each time."""
    cache_path = Path(settings.DATA_DIR) / DIGEST_CACHE
    try:
        cache: dict[str, list[Any]] = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    files: dict[str, str] = {}
    kept: dict[str, list[Any]] = {}
    for name in sorted(_relative_files(target)):
        path = target / name
        if not name.startswith(BLOBS + "/"):
            files[name] = _sha256(path)
            continue
        stat = path.stat()
        stamp = [stat.st_ino, stat.st_size, stat.st_mtime_ns]
        entry = cache.get(name)
        digest = (
            entry[3] if isinstance(entry, list) and len(entry) == 4 and entry[:3] == stamp else _sha256(path)
        )
        files[name] = digest
        kept[name] = [*stamp, digest]
    temporary = cache_path.with_suffix(".tmp")
    temporary.write_text(json.dumps(kept), encoding="utf-8")
    temporary.replace(cache_path)
    return files


def _egide_version() -> str:
    try:
        return metadata.version("egide")
    except metadata.PackageNotFoundError:
        return "0+unknown"
