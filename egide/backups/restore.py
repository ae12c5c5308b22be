"""Restoring a snapshot (issue 6, item 5): `egide restore --from … --target DIR`.

A restore never writes over the live installation unless asked (`replace`), and then moves the
previous directories aside instead of deleting them. Order, so that a failure at any step leaves
the target unusable rather than half right, and the live installation untouched:

1. open the repository with the password derived from the master key (so the master key must be
   in the key directory: `egide keys recover` first when it was lost);
2. restore the snapshot into a private scratch directory beside the target, check the manifest
   (every file's SHA-256) before anything is placed;
3. place the database (SQLite file, or `pg_restore` into the configured, empty PostgreSQL
   database), the encrypted blobs and the exported audit heads; the wrapped keyring goes into the
   key directory when it has none (a keyring is only ever added there, never replaced);
4. merge the newest shredding journals found (the snapshot's and the newest snapshot of every
   other reachable destination) into the key directory's journal, then, in the restored instance
   itself (`egide manage restore_finish`, a subprocess with its own EGIDE_DATA_DIR), destroy again
   the data keys of patients erased after the snapshot and record the restore in its journal.

The master key never leaves memory; the repository password is derived from it on demand.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.db import DatabaseError, connection

from egide.backups import passwords
from egide.backups.credentials import backend_environment, location_with_credentials
from egide.backups.errors import BackupFault
from egide.backups.restic import Repository
from egide.backups.staging import MANIFEST_FILE, POSTGRES_DUMP, SQLITE_DUMP, Manifest, postgres_environment
from egide.core.errors import EgideError
from egide.crypto import runtime
from egide.crypto.errors import CryptoError, JournalError, KeyStoreError, SealedError
from egide.crypto.files import ensure_private_dir
from egide.crypto.hierarchy import Keyring, MasterKey
from egide.crypto.shredding import ShreddingJournal

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]

SQLITE_FILE = "egide.sqlite3"  # its name in the data directory (settings.DATABASES)
TARGET_DATA = "data"
TARGET_HEADS = "audit-heads"
# A restic location rather than a destination's name: local path, or one of restic's backends.
_LOCATION_PREFIXES = ("/", "./", "../", "rest:", "sftp:", "s3:", "rclone:", "b2:", "azure:", "gs:", "swift:")
FINISH_TIMEOUT_SECONDS = 3600


class RestoreError(EgideError):
    code = "restauration_impossible"
    http_status = 409


@dataclass(frozen=True)
class Source:
    """Where a restore reads from: a destination's restic location and its name (password label)."""

    name: str
    location: str
    env: dict[str, str] | None = None


@dataclass
class RestoreReport:
    source: Source
    snapshot_id: str
    snapshot_time: str
    target: Path
    dry_run: bool
    files: int = 0
    total_bytes: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    vendor: str = ""
    moved_aside: list[Path] = field(default_factory=list)
    journals_merged: int = 0
    keys_destroyed_again: int = 0
    keyring_placed: bool = False
    seconds: float = 0.0


def _say(progress: Progress | None, line: str) -> None:
    if progress is not None:
        progress(line)


def master_key_required() -> MasterKey:
    """The master key in the key directory, or a French sentence saying how to bring it back."""
    try:
        return runtime.current_master_key()
    except SealedError:
        raise RestoreError(
            "La clé maîtresse est scellée : indiquez sa phrase de passe dans le fichier nommé par "
            "EGIDE_KEY_PASSPHRASE_FILE, puis relancez la restauration."
        ) from None
    except KeyStoreError:
        raise RestoreError(
            f"Clé maîtresse absente de {runtime.key_dir()} : reconstituez-la d'abord depuis le kit "
            "de secours avec « egide keys recover », puis relancez la restauration. Si le trousseau "
            "(keyring.wrapped) a été perdu lui aussi, « egide restore --from … --nom … "
            "--extraire-cles DOSSIER » le retrouve dans la sauvegarde à l'aide du kit."
        ) from None


def is_location(text: str) -> bool:
    return text.startswith(_LOCATION_PREFIXES)


def source_resolve(*, source: str, name: str | None) -> Source:
    """A destination known to the live database by its name, else a restic location with `name`."""
    if not is_location(source):
        destination = _known_destination(source)
        if destination is not None:
            return destination
        if name is None:
            raise RestoreError(
                f"Destination « {source} » inconnue : donnez son emplacement restic (chemin, rest:…, "
                "sftp:…, s3:…) avec --nom NOM (le nom de la destination, dont dépend son mot de passe)."
            )
    if not name:
        raise RestoreError(
            "Indiquez avec --nom le nom de la destination (celui qu'elle avait dans Égide) : son mot "
            "de passe restic en est dérivé."
        )
    return Source(name=name, location=source)


def _known_destination(name: str) -> Source | None:
    """The live database's destination called `name`; None when it is unknown or the database is
    gone (the case a restore exists for)."""
    from egide.backups.models import Destination

    try:
        destination = Destination.objects.filter(name=name).first()
    except DatabaseError:
        return None
    if destination is None:
        return None
    return Source(name=destination.name, location=destination.restic_location(), env=destination.restic_env())


def repository_open(source: Source, master: MasterKey, *, cache_dir: Path | None = None) -> Repository:
    """The repository of `source`, its password derived from `master`. A restore passes a cache
    directory of its own: the default one lives in the data directory, which may be the target."""
    password = passwords.repository_password(master, source.name)
    return Repository(source.location, password, env=source.env, cache_dir=cache_dir)


def snapshot_pick(repository: Repository, snapshot_id: str | None) -> tuple[str, str]:
    try:
        snapshots = sorted(repository.snapshots(), key=lambda snapshot: snapshot.time)
    except BackupFault as fault:
        raise RestoreError(f"Sauvegarde illisible : {fault}") from None
    if not snapshots:
        raise RestoreError("Cette destination ne contient encore aucune sauvegarde.")
    if snapshot_id in (None, "latest"):
        chosen = snapshots[-1]
    else:
        matching = [s for s in snapshots if s.id.startswith(snapshot_id) or s.short_id == snapshot_id]
        if len(matching) != 1:
            raise RestoreError(
                f"Sauvegarde « {snapshot_id} » introuvable sur cette destination "
                f"({len(snapshots)} sauvegarde(s) disponible(s))."
            )
        chosen = matching[0]
    return chosen.id, _time_text(chosen.time)


def _time_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC")
    return str(value)


def snapshot_root(restored: Path) -> Path:
    """The directory of the restored tree holding manifest.json (restic restores the backed-up
    path under the target, so it may be a few levels down)."""
    if (restored / MANIFEST_FILE).is_file():
        return restored
    found = sorted(restored.rglob(MANIFEST_FILE), key=lambda path: len(path.parts))
    if not found:
        raise RestoreError(
            "Cette sauvegarde ne contient pas de manifeste Égide : ce n'est pas une sauvegarde d'Égide."
        )
    return found[0].parent


@contextmanager
def scratch_directory(beside: Path) -> Iterator[Path]:
    """A private (0700) directory on the same file system as `beside`, removed afterwards."""
    beside.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=".egide-restauration-", dir=beside))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def snapshot_fetch(
    repository: Repository, snapshot_id: str, into: Path, progress: Progress | None = None
) -> tuple[Path, Manifest]:
    """Restore the snapshot into `into` and check every checksum of its manifest."""
    _say(progress, "Lecture de la sauvegarde (restic restore)…")
    try:
        repository.restore(snapshot_id, into)
    except BackupFault as fault:
        raise RestoreError(f"La sauvegarde n'a pas pu être lue : {fault}") from None
    root = snapshot_root(into)
    _say(progress, "Vérification des empreintes du manifeste…")
    try:
        manifest = Manifest.load(root / MANIFEST_FILE)
        problems = manifest.verify(root)
    except (ValueError, KeyError, OSError) as error:
        raise RestoreError(f"Manifeste illisible : {error}") from None
    if problems:
        listed = " ; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
        raise RestoreError(
            f"Sauvegarde altérée : {len(problems)} fichier(s) ne correspondent pas au manifeste "
            f"({listed}). Rien n'a été restauré ; essayez une sauvegarde plus ancienne (--snapshot) "
            "ou une autre destination."
        )
    return root, manifest


def _files_of(root: Path) -> tuple[int, int]:
    files = [path for path in root.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def _is_live(path: Path) -> bool:
    live = {Path(settings.DATA_DIR).resolve(), Path(settings.AUDIT_HEADS_DIR).resolve()}
    return path.resolve() in live


def _non_empty(path: Path) -> bool:
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def _targets_check(target: Path, *, replace: bool) -> list[Path]:
    """The places the restore will write, refused when they hold data and `replace` is not given."""
    places = [target / TARGET_DATA, target / TARGET_HEADS]
    if (
        target.resolve() == Path(settings.DATA_DIR).resolve()
        or Path(settings.DATA_DIR).resolve() in target.resolve().parents
    ):
        raise RestoreError(
            f"{target} est (ou contient) le répertoire des données en service : choisissez un autre "
            "dossier, par exemple à côté, puis basculez dessus une fois la restauration vérifiée."
        )
    occupied = [place for place in places if _non_empty(place)]
    if occupied and not replace:
        live = any(_is_live(place) for place in occupied)
        what = "les données en service" if live else "des données"
        raise RestoreError(
            f"{', '.join(str(p) for p in occupied)} contient {what} : Égide ne restaure jamais par-dessus. "
            "Choisissez un dossier vide, ou ajoutez --remplacer pour mettre l'existant de côté "
            "(il est déplacé, jamais effacé)."
        )
    return occupied


def _move_aside(places: list[Path], stamp: str) -> list[Path]:
    moved: list[Path] = []
    for place in places:
        aside = place.with_name(f"{place.name}.avant-restauration-{stamp}")
        os.rename(place, aside)
        moved.append(aside)
    return moved


def place_tree(source: Path, destination: Path) -> None:
    """Move a checked directory of the snapshot into place, private (0700 directories, 0600 files).

    The scratch directory sits beside the target, so this is one rename (a gigabyte of documents
    is not copied twice, which shortens the RTO); another file system falls back to a copy."""
    if source.is_dir() and destination.is_dir() and not any(destination.iterdir()):
        destination.rmdir()
    if source.is_dir() and not destination.exists():
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.rename(source, destination)
        except OSError:
            pass  # another file system: copied below
        else:
            os.chmod(destination, 0o700)
            return
    ensure_private_dir(destination)
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        relative = destination / path.relative_to(source)
        if path.is_dir():
            relative.mkdir(mode=0o700, exist_ok=True)
        else:
            copy_private(path, relative)


def move_private(source: Path, destination: Path) -> None:
    """A checked file of the snapshot into place: renamed when it can be, else copied."""
    try:
        os.replace(source, destination)
    except OSError:
        copy_private(source, destination)
    else:
        os.chmod(destination, 0o600)


def copy_private(source: Path, destination: Path) -> None:
    temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.part")
    with (
        source.open("rb") as reader,
        open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as writer,
    ):
        shutil.copyfileobj(reader, writer, 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(temporary, destination)


def database_vendor(root: Path) -> str:
    if (root / POSTGRES_DUMP).is_file():
        return "postgresql"
    if (root / SQLITE_DUMP).is_file():
        return "sqlite"
    raise RestoreError("La sauvegarde ne contient pas de base de données.")


def _configured_vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def database_place(
    root: Path, data_dir: Path, *, database_url: str | None = None, set_aside: str | None = None
) -> str | None:
    """Put the snapshot's database where the restored instance will read it. PostgreSQL with
    `set_aside` (a restore asked to replace): a non-empty database's schema is renamed
    `public_avant_restauration_<stamp>` first, kept, never dropped. Returns that schema's name."""
    vendor = database_vendor(root)
    if vendor == "sqlite":
        move_private(root / SQLITE_DUMP, data_dir / SQLITE_FILE)
        return None
    url = database_url or _configured_database_url()
    aside = None
    if set_aside is not None and not pg_database_empty(url):
        aside = pg_schema_set_aside(url, set_aside)
    pg_restore(root / POSTGRES_DUMP, url)
    return aside


def pg_schema_set_aside(url: str, stamp: str) -> str:
    import psycopg
    from psycopg import sql

    name = f"public_avant_restauration_{stamp.lower()}"
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(sql.SQL("ALTER SCHEMA public RENAME TO {}").format(sql.Identifier(name)))
        pg.execute("CREATE SCHEMA public")
    return name


def _configured_database_url() -> str:
    url = os.environ.get("EGIDE_DATABASE_URL", "")
    if not url:
        raise RestoreError(
            "Cette sauvegarde vient d'une installation PostgreSQL : configurez EGIDE_DATABASE_URL vers "
            "une base vide, puis relancez la restauration."
        )
    return url


def pg_database_empty(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as pg:
        row = pg.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return row is not None and row[0] == 0


def pg_restore(dump: Path, url: str) -> None:
    if not pg_database_empty(url):
        raise RestoreError(
            "La base PostgreSQL configurée n'est pas vide : Égide n'y restaure jamais par-dessus. "
            "Créez une base vide (createdb), pointez EGIDE_DATABASE_URL dessus et relancez."
        )
    # Connection settings (the password above all) go through the environment, never the command
    # line: `ps` shows arguments to every account of the server.
    database = dj_database_url.parse(url)
    environment = postgres_environment(database)
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--dbname",
        str(database["NAME"]),
    ]
    # Debian's postgresql-client on PATH; fixed binary, arguments built here.
    result = subprocess.run(  # noqa: S603
        [*command, str(dump)], capture_output=True, text=True, check=False, env=environment
    )
    if result.returncode != 0:
        # pg_restore's own words may quote rows (DETAIL, CONTEXT): only its exit code is logged.
        logger.error("pg_restore a échoué (code %s)", result.returncode)
        raise RestoreError(
            "pg_restore a échoué : la base restaurée est incomplète. Videz-la (ou recréez-la) et "
            "relancez la restauration."
        )


def keyring_place(root: Path, master: MasterKey, key_dir: Path) -> bool:
    """Put the snapshot's wrapped keyring in the key directory if it has none. True if placed.

    A keyring already there is kept when it holds every root version of the snapshot's (versions
    are never removed, so the newer keyring reads the older backup); one that does not open with
    this master key, or lacks versions, is an error rather than a silent replacement.
    """
    backup_copy = root / "keys" / runtime.KEYRING_FILE
    try:
        from_backup = Keyring.unwrap(master, backup_copy.read_bytes())
    except OSError:
        raise RestoreError("La sauvegarde ne contient pas le trousseau (keyring.wrapped).") from None
    except CryptoError:
        raise RestoreError(
            "La clé maîtresse n'ouvre pas le trousseau de cette sauvegarde : la sauvegarde vient "
            "d'une autre installation, ou d'avant un changement de clé maîtresse (utilisez alors "
            "l'ancien kit de secours)."
        ) from None
    live = key_dir / runtime.KEYRING_FILE
    if not live.exists():
        ensure_private_dir(key_dir)
        copy_private(backup_copy, live)
        runtime.keyring_forget()
        return True
    try:
        current = Keyring.unwrap(master, live.read_bytes())
    except CryptoError:
        raise RestoreError(
            f"Le trousseau de {key_dir} ne s'ouvre pas avec la clé maîtresse : déplacez-le, puis "
            "relancez la restauration."
        ) from None
    missing = set(from_backup.versions) - set(current.versions)
    if missing:
        raise RestoreError(
            f"Le trousseau de {key_dir} ne contient pas les versions de clés racines "
            f"{sorted(missing)} de la sauvegarde : utilisez un répertoire de clés vide pour la "
            "restaurer (EGIDE_KEY_DIR)."
        )
    return False


def journals_merge(
    root: Path,
    journal: ShreddingJournal,
    others: list[Source],
    master: MasterKey,
    progress: Progress | None = None,
) -> int:
    """Merge into `journal` the snapshot's shredding journal and the newest one of every other
    reachable destination; return how many erasures were added. An unreachable destination is
    reported and skipped (the key directory's journal and the snapshot's are always merged)."""
    added = 0
    snapshot_journal = root / "keys" / runtime.JOURNAL_FILE
    if snapshot_journal.exists():
        added += journal.merge_from(snapshot_journal)
    for other in others:
        try:
            with scratch_directory(Path(tempfile.gettempdir())) as scratch:
                newest = _newest_journal(repository_open(other, master, cache_dir=scratch / "cache"), scratch)
                if newest is not None:
                    added += journal.merge_from(newest)
                    _say(progress, f"Journal d'effacement de « {other.name} » fusionné.")
        except (BackupFault, RestoreError, JournalError) as error:
            _say(progress, f"Destination « {other.name} » injoignable, journal non lu : {error}")
    return added


def _newest_journal(repository: Repository, scratch: Path) -> Path | None:
    snapshots = sorted(repository.snapshots(), key=lambda snapshot: snapshot.time)
    if not snapshots:
        return None
    repository.restore(snapshots[-1].id, scratch, include=f"keys/{runtime.JOURNAL_FILE}")
    found = sorted(scratch.rglob(runtime.JOURNAL_FILE), key=lambda path: len(path.parts))
    return found[0] if found else None


def other_destinations(source: Source, restored_sqlite: Path | None = None) -> list[Source]:
    """Every destination besides `source` known to the live database or to the restored one
    (when the live database is gone, the restored copy still names the other destinations)."""
    from egide.backups.models import Destination

    rows: dict[str, tuple[str, str]] = {}
    with suppress(DatabaseError):
        rows.update((d.name, (d.kind, d.location)) for d in Destination.objects.all())
    if restored_sqlite is not None and restored_sqlite.is_file():
        with (
            suppress(sqlite3.Error),
            closing(sqlite3.connect(f"{restored_sqlite.as_uri()}?mode=ro", uri=True)) as db,
        ):
            for name, kind, location in db.execute("SELECT name, kind, location FROM backups_destination"):
                rows.setdefault(str(name), (str(kind), str(location)))
    rows.pop(source.name, None)
    return [
        Source(name, location_with_credentials(kind, location, name), backend_environment(kind, name))
        for name, (kind, location) in sorted(rows.items())
    ]


def restored_env(
    target: Path, *, key_dir: Path | None = None, database_url: str | None = None
) -> dict[str, str]:
    """The environment of an Égide process working on the restored copy."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        EGIDE_DATA_DIR=str((target / TARGET_DATA).resolve()),
        EGIDE_AUDIT_HEADS_DIR=str((target / TARGET_HEADS).resolve()),
        EGIDE_KEY_DIR=str((key_dir or runtime.key_dir()).resolve()),
        EGIDE_KEY_PROVIDER=str(settings.KEY_PROVIDER),
        DJANGO_SETTINGS_MODULE="egide.settings",
    )
    if database_url:
        env["EGIDE_DATABASE_URL"] = database_url
    return env


def egide_subprocess(
    *args: str, env: dict[str, str], timeout: float = FINISH_TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this Python running Égide, arguments built here
        [sys.executable, "-m", "egide", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def restore_run(
    *,
    source: Source,
    target: Path,
    snapshot_id: str | None = None,
    dry_run: bool = False,
    replace: bool = False,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore a snapshot of `source` into `target` (`target/data`, `target/audit-heads`, the
    configured key directory's keyring and journal; PostgreSQL: the configured database).
    `dry_run` reads and checks everything in a scratch directory and changes nothing."""
    with tempfile.TemporaryDirectory(prefix="egide-restic-cache-") as cache:
        return _restore(
            source=source,
            target=target.absolute(),
            snapshot_id=snapshot_id,
            dry_run=dry_run,
            replace=replace,
            progress=progress,
            cache_dir=Path(cache),
        )


def _restore(
    *,
    source: Source,
    target: Path,
    snapshot_id: str | None,
    dry_run: bool,
    replace: bool,
    progress: Progress | None,
    cache_dir: Path,
) -> RestoreReport:
    started = datetime.now(UTC)
    master = master_key_required()
    repository = repository_open(source, master, cache_dir=cache_dir)
    _say(progress, f"Destination « {source.name} » : recherche des sauvegardes…")
    snapshot, when = snapshot_pick(repository, snapshot_id)
    _say(progress, f"Sauvegarde choisie : {snapshot[:8]} du {when}.")
    report = RestoreReport(source, snapshot, when, target, dry_run)
    occupied = [] if dry_run else _targets_check(target, replace=replace)
    live_postgresql = not dry_run and not replace and connection.vendor == "postgresql"
    if live_postgresql and not pg_database_empty(_configured_database_url()):
        raise RestoreError(
            "La base PostgreSQL configurée n'est pas vide : Égide n'y restaure jamais par-dessus. "
            "Pointez EGIDE_DATABASE_URL sur une base vide (createdb), ou ajoutez --remplacer pour "
            "mettre l'existante de côté (son schéma est renommé, jamais effacé)."
        )
    scratch_parent = Path(tempfile.gettempdir()) if dry_run else target
    with scratch_directory(scratch_parent) as scratch:
        root, manifest = snapshot_fetch(repository, snapshot, scratch, progress)
        report.files, report.total_bytes = _files_of(root)
        report.counts = dict(manifest.counts)
        report.vendor = database_vendor(root)
        _say(progress, f"Sauvegarde intègre : {report.files} fichiers, {report.total_bytes / 1e6:.1f} Mo.")
        if dry_run:
            return _finish_report(report, started)
        if report.vendor != _configured_vendor() and report.vendor == "sqlite":
            raise RestoreError(
                "Cette sauvegarde vient d'une installation SQLite : retirez EGIDE_DATABASE_URL pour la "
                "restaurer dans le dossier cible."
            )
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        if occupied:
            # This process may hold the live SQLite file open: let go of it before it moves.
            connection.close()
            report.moved_aside = _move_aside(occupied, stamp)
            for aside in report.moved_aside:
                _say(progress, f"Existant mis de côté : {aside}")
        data_dir = target / TARGET_DATA
        ensure_private_dir(data_dir)
        _say(progress, "Mise en place de la base de données…")
        aside_schema = database_place(root, data_dir, set_aside=stamp if replace else None)
        if aside_schema is not None:
            report.moved_aside.append(Path(f"schéma PostgreSQL {aside_schema}"))
            _say(progress, f"Base existante mise de côté : schéma {aside_schema}")
        _say(progress, "Mise en place des documents chiffrés et des têtes du journal…")
        place_tree(root / "blobs", data_dir / "blobs")
        place_tree(root / "audit-heads", target / TARGET_HEADS)
        report.keyring_placed = keyring_place(root, master, runtime.key_dir())
        if report.keyring_placed:
            _say(progress, f"Trousseau placé dans {runtime.key_dir()}.")
        _say(progress, "Application du journal d'effacement le plus récent…")
        report.journals_merged = journals_merge(
            root,
            runtime.shredding_journal(),
            other_destinations(source, data_dir / SQLITE_FILE if report.vendor == "sqlite" else None),
            master,
            progress,
        )
    report.keys_destroyed_again = restored_instance_finish(report, progress)
    return _finish_report(report, started)


def _finish_report(report: RestoreReport, started: datetime) -> RestoreReport:
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    return report


def restored_instance_finish(report: RestoreReport, progress: Progress | None = None) -> int:
    """Run `restore_finish` in the restored instance: erasures applied again, restore audited."""
    _say(progress, "Ouverture de l'instance restaurée (effacements ré-appliqués, restauration tracée)…")
    result = egide_subprocess(
        "manage",
        "restore_finish",
        "--snapshot",
        report.snapshot_id,
        "--source",
        report.source.name,
        env=restored_env(report.target),
    )
    if result.returncode != 0:
        logger.error("restore_finish a échoué : %s", result.stderr[-2000:])
        raise RestoreError(
            "Les données sont en place mais l'instance restaurée n'a pas pu être ouverte : "
            + (result.stderr.strip().splitlines() or ["erreur inconnue"])[-1]
        )
    lines = result.stdout.strip().splitlines()
    with suppress(ValueError, IndexError):
        return int(lines[-1])
    return 0


def keys_extract(*, source: Source, shares: list[str], into: Path, snapshot_id: str | None = None) -> Path:
    """For a lost key directory: with the kit's shares (in memory only), fetch the wrapped keyring
    and the shredding journal of a snapshot into `into`, for `egide keys recover --keyring
    --journal`. Nothing secret is written: both files are useless without the master key."""
    from egide.crypto.recovery import combine_shares

    master = combine_shares(shares)
    cache = Path(tempfile.mkdtemp(prefix="egide-restic-cache-"))
    try:
        return _keys_extract(source, master, into, snapshot_id, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _keys_extract(
    source: Source, master: MasterKey, into: Path, snapshot_id: str | None, cache: Path
) -> Path:
    repository = repository_open(source, master, cache_dir=cache)
    snapshot, _when = snapshot_pick(repository, snapshot_id)
    ensure_private_dir(into)
    with scratch_directory(Path(tempfile.gettempdir())) as scratch:
        try:
            repository.restore(snapshot, scratch, include="keys")
        except BackupFault as fault:
            raise RestoreError(f"La sauvegarde n'a pas pu être lue : {fault}") from None
        found = sorted(scratch.rglob(runtime.KEYRING_FILE), key=lambda path: len(path.parts))
        if not found:
            raise RestoreError("La sauvegarde ne contient pas le trousseau (keyring.wrapped).")
        keys = found[0].parent
        for name in (runtime.KEYRING_FILE, runtime.JOURNAL_FILE):
            if (into / name).exists():
                raise RestoreError(f"{into / name} existe déjà : Égide refuse de l'écraser.")
        copy_private(keys / runtime.KEYRING_FILE, into / runtime.KEYRING_FILE)
        journal = keys / runtime.JOURNAL_FILE
        if journal.exists():
            copy_private(journal, into / runtime.JOURNAL_FILE)
        else:
            # No journal in the backup: nobody had been erased then. An empty journal says so,
            # and `egide keys recover --journal` merges it like any other.
            ShreddingJournal(into / runtime.JOURNAL_FILE).path.touch(mode=0o600)
    return into
