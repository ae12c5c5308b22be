from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.backups.restore import (
    TARGET_DATA,
    TARGET_HEADS,
    RestoreError,
    RestoreReport,
    Source,
    keys_extract,
    restore_run,
    source_resolve,
)
from egide.core.errors import EgideError
from egide.crypto import prompts, runtime
from egide.crypto.errors import CryptoError


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde dans un dossier (jamais par-dessus les données en service sans "
        "--remplacer), vérifie ses empreintes, ré-applique le journal d'effacement le plus récent et "
        "dit quoi faire ensuite. --dry-run vérifie sans rien changer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="source",
            required=True,
            metavar="DESTINATION",
            help="nom d'une destination connue, ou emplacement restic (chemin, rest:…, sftp:…, s3:…)",
        )
        parser.add_argument("--nom", dest="name", help="nom de la destination (avec un emplacement restic)")
        parser.add_argument("--snapshot", help="identifiant de la sauvegarde (défaut : la plus récente)")
        parser.add_argument("--target", type=Path, help="dossier où restaurer (reçoit data/ et audit-heads/)")
        parser.add_argument("--dry-run", action="store_true", help="vérifie et liste, ne change rien")
        parser.add_argument(
            "--remplacer",
            dest="replace",
            action="store_true",
            help="met de côté (sans l'effacer) ce que le dossier cible contient déjà",
        )
        parser.add_argument(
            "--extraire-cles",
            dest="extract_keys",
            type=Path,
            metavar="DOSSIER",
            help="répertoire des clés perdu : copie le trousseau et le journal d'effacement de la "
            "sauvegarde dans DOSSIER, à l'aide du kit de secours, pour « egide keys recover »",
        )
        parser.add_argument(
            "--share-file",
            type=Path,
            action="append",
            default=[],
            help="avec --extraire-cles : une part du kit",
        )

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = source_resolve(source=options["source"], name=options["name"])
            if options["extract_keys"] is not None:
                self._extract(source, options)
                return
            if options["target"] is None:
                raise RestoreError("Indiquez le dossier où restaurer avec --target DOSSIER.")
            report = restore_run(
                source=source,
                target=options["target"],
                snapshot_id=options["snapshot"],
                dry_run=options["dry_run"],
                replace=options["replace"],
                progress=self._say,
            )
        except (CryptoError, EgideError, OSError) as error:
            _record_live(options, Outcome.FAILURE)
            message = error.describe() if isinstance(error, EgideError) else str(error)
            raise CommandError(f"Restauration impossible : {message}") from None
        _record_live(options, Outcome.SUCCESS, report)
        if report.dry_run:
            self._dry_run_summary(report)
        else:
            self._next_steps(report)

    def _extract(self, source: Source, options: dict[str, Any]) -> None:
        shares = prompts.shares_read(options["share_file"])
        into = keys_extract(
            source=source, shares=shares, into=options["extract_keys"], snapshot_id=options["snapshot"]
        )
        self._say(
            self.style.SUCCESS(f"Trousseau et journal d'effacement de la sauvegarde copiés dans {into}.")
        )
        self._say(
            "Ensuite : « egide keys recover --keyring "
            f"{into / runtime.KEYRING_FILE} --journal {into / runtime.JOURNAL_FILE} » (avec les mêmes "
            "parts), puis « egide restore » avec les mêmes --from et --nom."
        )

    def _dry_run_summary(self, report: RestoreReport) -> None:
        self._say(self.style.SUCCESS("Vérification terminée : rien n'a été modifié."))
        self._say(f"Serait restauré dans {report.target} :")
        self._say(f"  base de données ({report.vendor}) → {report.target / TARGET_DATA}")
        self._say(f"  documents chiffrés → {report.target / TARGET_DATA / 'blobs'}")
        self._say(f"  têtes du journal → {report.target / TARGET_HEADS}")
        self._say(f"  trousseau et journal d'effacement → {runtime.key_dir()}")
        for table, count in sorted(report.counts.items()):
            self._say(f"  {table} : {count} ligne(s)")

    def _next_steps(self, report: RestoreReport) -> None:
        data = report.target / TARGET_DATA
        heads = report.target / TARGET_HEADS
        self._say(
            self.style.SUCCESS(
                f"Restauration terminée en {report.seconds:.0f} s : sauvegarde {report.snapshot_id[:8]} "
                f"du {report.snapshot_time}, {report.files} fichiers vérifiés."
            )
        )
        if report.journals_merged or report.keys_destroyed_again:
            self._say(
                f"Effacements ré-appliqués : {report.keys_destroyed_again} patient(s) effacé(s) après "
                "cette sauvegarde le restent."
            )
        self._say("Et maintenant :")
        self._say(
            f"  1. Vérifiez le journal : EGIDE_DATA_DIR={data} EGIDE_AUDIT_HEADS_DIR={heads} "
            "egide audit verify"
        )
        self._say(
            f"  2. Faites pointer Égide sur la copie restaurée (EGIDE_DATA_DIR={data}, "
            f"EGIDE_AUDIT_HEADS_DIR={heads}), lancez « egide init » (file des tâches, clé secrète ; "
            "rien d'existant n'est écrasé), puis « egide serve » et « egide worker »."
        )
        self._say(
            "  3. Les données saisies après cette sauvegarde sont perdues : prévenez l'équipe de les "
            "ressaisir, et si la perte suit une attaque, déclarez l'incident (registre des violations)."
        )
        self._say("  4. Lancez une sauvegarde dès que possible (egide backup run).")
        for aside in report.moved_aside:
            self._say(
                f"  L'ancien contenu est conservé dans {aside} : effacez-le une fois la restauration validée."
            )


def _record_live(options: dict[str, Any], outcome: Outcome, report: RestoreReport | None = None) -> None:
    """Trace the restore in the live journal too when there is one (the restored instance records
    its own event); a lost database is exactly when there is none, so failure here is ignored."""
    dry_run = bool(options.get("dry_run"))
    if report is not None and not dry_run and _is_restored_database(report):
        return  # `restore_finish` recorded it in the restored journal, which is this one
    try:
        with transaction.atomic():
            audit_record(
                action=Action.RESTORE_CHECKED if dry_run else Action.RESTORE_RUN,
                outcome=outcome,
                actor_label="egide restore",
                subject_type="backup-snapshot",
                subject_id=report.snapshot_id if report else "",
                justification=f"destination {report.source.name if report else options['source']}",
            )
    except DatabaseError:
        pass


def _is_restored_database(report: RestoreReport) -> bool:
    if connection.vendor == "postgresql":
        return True  # a PostgreSQL restore goes into the configured database
    return Path(settings.DATA_DIR).resolve() == (report.target / TARGET_DATA).resolve()
