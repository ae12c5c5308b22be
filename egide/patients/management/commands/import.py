from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.core.errors import EgideError
from egide.patients.fhir_import import bundle_import
from egide.patients.management.operator import add_operator_argument, operator_get


class Command(BaseCommand):
    help = (
        "Importe un Bundle FHIR R4 (Patient avec NIR/INS, notes en Observation, documents en "
        "DocumentReference) dans le cabinet du compte donné par --as. Chaque patient, ses notes et ses "
        "documents sont importés ensemble ou pas du tout ; "
        "un patient déjà connu (même NIR ou INS) est mis à jour, jamais dupliqué. Les entrées rejetées "
        "sont listées avec leur position et la raison ; le code de sortie est alors 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FICHIER", help="Bundle FHIR R4 en JSON")
        add_operator_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = operator_get(options["username"])
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error.strerror}.") from None
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done == total:
                last[0] = now
                sys.stderr.write(f"\rImport : {done}/{total} patients ({100 * done // max(total, 1)} %)")
                if done == total:
                    sys.stderr.write("\n")

        try:
            report = bundle_import(actor=actor, data=data, progress=progress)
        except EgideError as error:
            raise CommandError(error.describe()) from None
        for warning in report.warnings:
            self.stdout.write(f"Avertissement, entrée {warning.position} : {warning.reason}")
        for rejection in report.rejections:
            where = "Fichier" if rejection.position is None else f"Entrée {rejection.position}"
            self.stdout.write(f"{where} rejetée : {rejection.reason}")
        self.stdout.write(
            f"{report.created} patient(s) créé(s), {report.updated} mis à jour, {report.unchanged} "
            f"inchangé(s), {report.attachments_added} note(s) ou document(s) ajouté(s)."
        )
        if report.rejections:
            raise CommandError(
                f"{len(report.rejections)} entrée(s) rejetée(s) (positions dans Bundle.entry, à partir "
                "de 0) : les patients concernés n'ont pas été modifiés. Corrigez-les puis relancez "
                "l'import ; ce qui est déjà importé ne sera pas dupliqué."
            )
