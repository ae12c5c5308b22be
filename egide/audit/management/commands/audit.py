from __future__ import annotations

import base64
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.audit.selectors import event_inclusion_proof, tree_consistency_proof
from egide.audit.services import journal_prune, journal_update, journal_verify
from egide.audit.verify import VerificationFailed
from egide.core.errors import NotFound


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Command(BaseCommand):
    help = (
        "Journal des accès : « verify » vérifie tout le journal et ses têtes signées, « prove ID » "
        "donne la preuve d'inclusion d'un événement, « consistency A B » la preuve de cohérence entre "
        "deux tailles, « head » place les nouveaux événements et signe une tête, « prune » efface le "
        "contenu des événements plus anciens que la durée de conservation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="vérifie le journal, ses têtes signées et exportées")
        verify.add_argument("--from-heads", type=Path, default=None, help="répertoire des têtes exportées")
        prove = sub.add_parser("prove", help="preuve d'inclusion d'un événement")
        prove.add_argument("event_id", type=int)
        consistency = sub.add_parser("consistency", help="preuve de cohérence entre deux tailles")
        consistency.add_argument("old_size", type=int)
        consistency.add_argument("new_size", type=int)
        sub.add_parser("head", help="place les événements en attente et signe une tête")
        sub.add_parser("prune", help="efface le contenu des événements hors durée de conservation")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self._verify(options["from_heads"])
        elif subcommand == "prove":
            self._prove(options["event_id"])
        elif subcommand == "consistency":
            self._consistency(options["old_size"], options["new_size"])
        elif subcommand == "head":
            update = journal_update(force_head=True)
            self.stdout.write(f"{update.sequenced} événement(s) placé(s) dans l'arbre.")
            if update.head is not None:
                self.stdout.write(update.head.checkpoint)
            else:
                self.stdout.write("Aucune nouvelle tête : le journal n'a pas changé.")
        else:
            result = journal_prune()
            self.stdout.write(
                f"Contenu de {result.deleted} événement(s) effacé ; "
                f"horizon : événement n°{result.up_to_event}."
            )

    def _verify(self, exported: Path | None) -> None:
        started = time.monotonic()
        last = [started]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 2 or done == total:
                last[0] = now
                sys.stderr.write(
                    f"\rVérification : {done}/{total} feuilles ({100 * done // max(total, 1)} %)"
                )
                if done == total:
                    sys.stderr.write("\n")

        try:
            report = journal_verify(exported_dir=exported, progress=progress)
        except VerificationFailed as failure:
            raise CommandError(f"Journal NON intègre. {failure}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Journal intègre : {report.size} feuilles, {report.events} événements recalculés, "
                f"{report.pruned} au contenu effacé par la conservation, {report.heads} têtes signées "
                f"et {report.exported} têtes exportées vérifiées ({time.monotonic() - started:.1f} s)."
            )
        )

    def _prove(self, event_id: int) -> None:
        journal_update()
        try:
            proof = event_inclusion_proof(event_id=event_id)
        except NotFound:
            raise CommandError(f"Événement n°{event_id} introuvable dans l'arbre signé.") from None
        self.stdout.write(f"événement {proof.event_id}\nfeuille {proof.leaf_index}\ntaille {proof.size}")
        self.stdout.write(f"empreinte de la feuille {_b64(proof.leaf)}\nracine {_b64(proof.root)}")
        for step in proof.path:
            self.stdout.write(f"chemin {_b64(step)}")
        if not proof.valid:
            raise CommandError("La preuve d'inclusion ne se vérifie pas : lancez « egide audit verify ».")
        self.stdout.write(self.style.SUCCESS("Preuve d'inclusion vérifiée."))

    def _consistency(self, old_size: int, new_size: int) -> None:
        try:
            proof = tree_consistency_proof(old_size=old_size, new_size=new_size)
        except NotFound:
            raise CommandError(
                f"Tailles invalides : il faut 0 ≤ {old_size} ≤ {new_size} ≤ taille du journal."
            ) from None
        self.stdout.write(f"taille {proof.old_size} racine {_b64(proof.old_root)}")
        self.stdout.write(f"taille {proof.new_size} racine {_b64(proof.new_root)}")
        for step in proof.path:
            self.stdout.write(f"preuve {_b64(step)}")
        if not proof.valid:
            raise CommandError("La preuve de cohérence ne se vérifie pas : lancez « egide audit verify ».")
        self.stdout.write(self.style.SUCCESS("Preuve de cohérence vérifiée."))
