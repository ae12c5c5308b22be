from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from egide.backups import selectors, services
from egide.backups.models import DestinationKind, Outcome
from egide.core.errors import EgideError
from egide.crypto.errors import CryptoError

_KINDS = ", ".join(DestinationKind.values)


def _size(count: int | None) -> str:
    if count is None:
        return "taille mesurée à la prochaine vérification"
    value = float(count)
    for unit in ("o", "Ko", "Mo", "Go"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "o" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} To"


def _age(delta: timedelta | None) -> str:
    if delta is None:
        return "jamais"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"il y a {minutes} min"
    if minutes < 48 * 60:
        return f"il y a {minutes // 60} h"
    return f"il y a {minutes // (24 * 60)} j"


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "jamais"


class Command(BaseCommand):
    help = (
        "Sauvegardes : lancer (run), vérifier (check), appliquer la rétention (forget), état "
        "(status, code de sortie non nul si la situation est mauvaise), exercice de restauration "
        "(drill), déverrouiller un dépôt (unlock), retirer l'ancien kit (key-retire), gérer les "
        "destinations (destination)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("run", help="sauvegarde maintenant vers chaque destination active")
        check = actions.add_parser("check", help="vérifie les dépôts (et relit 1/7 des données)")
        check.add_argument(
            "--structure-seule",
            action="store_true",
            dest="structure_only",
            help="vérifie la structure sans relire de données",
        )
        forget = actions.add_parser("forget", help="rétention : oublie les anciennes sauvegardes")
        forget.add_argument(
            "--sans-prune", action="store_true", dest="no_prune", help="n'efface pas les données libérées"
        )
        actions.add_parser("status", help="état des sauvegardes (sortie 1 si la situation est mauvaise)")
        drill = actions.add_parser("drill", help="exercice de restauration de la dernière sauvegarde")
        drill.add_argument("--destination", help="nom de la destination (défaut : la première saine)")
        unlock = actions.add_parser("unlock", help="retire les verrous abandonnés d'un dépôt")
        unlock.add_argument("name", metavar="NOM")
        key_add = actions.add_parser(
            "key-add", help="ajoute un second mot de passe au dépôt (machine de nettoyage de confiance)"
        )
        key_add.add_argument("name", metavar="NOM")
        key_add.add_argument(
            "password_file", metavar="FICHIER", type=Path, help="fichier du nouveau mot de passe"
        )

        actions.add_parser(
            "key-retire",
            help="après un changement de clé maîtresse et l'impression du nouveau kit : l'ancien kit "
            "n'ouvre plus les dépôts",
        )

        destination = actions.add_parser(
            "destination", help="destinations : add, list, enable, disable, remove"
        )
        what = destination.add_subparsers(dest="destination_action", required=True, metavar="ACTION")
        add = what.add_parser("add", help="ajoute une destination et crée son dépôt restic")
        add.add_argument("name", metavar="NOM", help="nom court : lettres minuscules, chiffres, tirets")
        add.add_argument("location", metavar="EMPLACEMENT", help="chemin, rest:https://…, sftp:…, s3:…")
        add.add_argument("--type", dest="kind", choices=DestinationKind.values, help=f"{_KINDS} (deviné)")
        add.add_argument(
            "--ajout-seul",
            action="store_true",
            dest="append_only",
            help="le serveur refuse les suppressions (rest-server/rclone --append-only)",
        )
        add.add_argument(
            "--amovible",
            action="store_true",
            dest="offline",
            help="disque branché pour la sauvegarde puis emporté",
        )
        add.add_argument(
            "--alerte-jours",
            type=int,
            default=7,
            dest="offline_warn_days",
            help="amovible : alerte s'il n'a pas été branché depuis N jours (défaut : 7)",
        )
        what.add_parser("list", help="liste les destinations")
        for verb, text in (
            ("enable", "réactive une destination"),
            ("disable", "suspend une destination"),
            ("remove", "oublie une destination (son dépôt reste en place)"),
        ):
            what.add_parser(verb, help=text).add_argument("name", metavar="NOM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (EgideError, CryptoError) as error:
            message = error.describe() if isinstance(error, EgideError) else str(error)
            raise CommandError(message) from None

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    # --- run, check, forget ------------------------------------------------------------

    def _run(self, options: dict[str, Any]) -> None:
        shown: dict[str, int] = {}

        def progress(name: str, fraction: float) -> None:
            step = int(fraction * 10)
            if shown.get(name, -1) < step:
                shown[name] = step
                self._say(f"  {name} : {fraction:.0%}")

        self._say("Préparation de la copie cohérente…")
        results = services.backup_run(progress=progress)
        if not results:
            raise CommandError(
                "Aucune destination de sauvegarde active : ajoutez-en avec « egide backup destination add »."
            )
        failed = False
        for result in results:
            if result.good:
                self._say(
                    self.style.SUCCESS(
                        f"{result.destination} : sauvegarde {result.snapshot_id[:8]} vérifiée."
                    )
                )
            elif result.outcome == Outcome.SKIPPED:
                self._say(f"{result.destination} : non branchée, ignorée cette fois.")
            else:
                failed = True
                self._say(self.style.ERROR(f"{result.destination} : ÉCHEC — {result.message}"))
        if failed:
            raise CommandError("Au moins une sauvegarde a échoué (détails ci-dessus).")

    def _check(self, options: dict[str, Any]) -> None:
        results = services.check_run(read_data=not options["structure_only"])
        failed = False
        for result in results:
            subset = f" (données relues : {result.read_data_subset})" if result.read_data_subset else ""
            if result.outcome == Outcome.SUCCESS:
                self._say(self.style.SUCCESS(f"{result.destination} : dépôt intact{subset}."))
            else:
                failed = True
                self._say(self.style.ERROR(f"{result.destination} : ÉCHEC — {result.message}"))
        if failed:
            raise CommandError("Au moins une vérification a échoué (détails ci-dessus).")

    def _forget(self, options: dict[str, Any]) -> None:
        outcomes = services.forget_run(prune=not options["no_prune"])
        for name, message in outcomes.items():
            self._say(f"{name} : {'ÉCHEC — ' + message if message else 'rétention appliquée.'}")
        self._say("Les destinations en ajout seul ne sont jamais nettoyées d'ici (voir le README).")
        if any(outcomes.values()):
            raise CommandError("La rétention a échoué sur au moins une destination.")

    def _unlock(self, options: dict[str, Any]) -> None:
        services.repository_unlock(name=options["name"])
        self._say(f"{options['name']} : verrous abandonnés retirés.")

    def _key_add(self, options: dict[str, Any]) -> None:
        services.repository_key_add(name=options["name"], password_file=options["password_file"])
        self._say(f"{options['name']} : nouveau mot de passe ajouté au dépôt (celui d'Égide reste valable).")

    def _key_retire(self, options: dict[str, Any]) -> None:
        from egide.backups.key_retirement import keys_retire

        results = keys_retire()
        if not results:
            self._say("Aucune ancienne clé à retirer.")
            return
        for result in results:
            line = f"{result.destination} (clé {result.key_id}) : {result.message}"
            self._say(self.style.SUCCESS(line) if result.retired else self.style.WARNING(line))
        if not all(result.retired for result in results):
            raise CommandError("L'ancien kit ouvre encore au moins une destination (détails ci-dessus).")

    def _drill(self, options: dict[str, Any]) -> None:
        from egide.backups.drill import drill_run

        destination = None
        if options["destination"]:
            destination = next(
                (d for d in selectors.destinations_list() if d.name == options["destination"]), None
            )
            if destination is None:
                raise CommandError(f"Destination « {options['destination']} » inconnue.")
        run = drill_run(destination=destination)
        if run.outcome != Outcome.SUCCESS:
            raise CommandError(f"Exercice de restauration en échec : {run.message}")
        self._say(self.style.SUCCESS(f"Exercice de restauration réussi en {run.rto_seconds or 0:.0f} s."))

    # --- status --------------------------------------------------------------------------

    def _status(self, options: dict[str, Any]) -> None:
        status = selectors.backup_status()
        for destination in status.destinations:
            flags = [
                label
                for label, present in (
                    ("ajout seul", destination.append_only),
                    ("amovible", destination.offline),
                    ("SUSPENDUE", not destination.enabled),
                )
                if present
            ]
            state = "saine" if destination.healthy else "À SURVEILLER"
            suffix = f" [{', '.join(flags)}]" if flags else ""
            self._say(f"{destination.name} ({destination.kind}){suffix} : {state}")
            self._say(
                f"  dernière sauvegarde réussie : {_when(destination.last_success_at)} "
                f"({_age(destination.age)}) · {destination.snapshot_count} sauvegarde(s) · "
                f"{_size(destination.size_bytes)}"
            )
            check = destination.last_check
            if check is not None:
                verdict = "réussie" if check.outcome == Outcome.SUCCESS else "ÉCHEC"
                self._say(f"  dernière vérification : {_when(check.started_at)} ({verdict})")
        drill = status.last_drill
        if drill is not None:
            verdict = "réussi" if drill.outcome == Outcome.SUCCESS else "ÉCHEC"
            rto = f", remise en service en {drill.rto_seconds:.0f} s" if drill.rto_seconds else ""
            self._say(f"Dernier exercice de restauration : {_when(drill.started_at)} ({verdict}{rto})")
        for warning in status.warnings:
            self._say(self.style.WARNING(f"Attention : {warning}"))
        if status.healthy:
            self._say(self.style.SUCCESS("Sauvegardes : en bon état."))
            return
        self._say(self.style.ERROR("Sauvegardes : SITUATION À CORRIGER"))
        for reason in status.reasons:
            self._say(f"  - {reason}")
        sys.exit(1)

    # --- destinations ----------------------------------------------------------------------

    def _destination(self, options: dict[str, Any]) -> None:
        action = options["destination_action"]
        if action == "add":
            location: str = options["location"]
            kind = options["kind"] or _guess_kind(location)
            destination = services.destination_add(
                name=options["name"],
                kind=kind,
                location=location,
                append_only=options["append_only"],
                offline=options["offline"],
                offline_warn_days=options["offline_warn_days"],
            )
            self._say(self.style.SUCCESS(f"Destination « {destination.name} » ajoutée, dépôt prêt."))
        elif action == "list":
            for destination in selectors.destinations_list():
                flags = ", ".join(
                    label
                    for label, present in (
                        ("ajout seul", destination.append_only),
                        ("amovible", destination.offline),
                        ("suspendue", not destination.enabled),
                    )
                    if present
                )
                self._say(f"{destination.name}\t{destination.kind}\t{destination.location}\t{flags}")
        elif action in {"enable", "disable"}:
            services.destination_enable(name=options["name"], enabled=action == "enable")
            self._say(
                f"Destination « {options['name']} » {'réactivée' if action == 'enable' else 'suspendue'}."
            )
        else:
            services.destination_remove(name=options["name"])
            self._say(f"Destination « {options['name']} » retirée (son dépôt reste en place).")


def _guess_kind(location: str) -> str:
    for prefix in ("rest", "sftp", "s3"):
        if location.startswith(prefix + ":"):
            return prefix
    return DestinationKind.LOCAL
