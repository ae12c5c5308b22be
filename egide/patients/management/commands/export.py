from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.core.errors import EgideError, NotFound
from egide.patients.fhir import patient_export
from egide.patients.management.operator import add_operator_argument, operator_get


class Command(BaseCommand):
    # An operator's tool run on the server, like a backup: the web UI's export will ask for a
    # fresh re-authentication first (DESIGN "Access control", sensitive actions).
    help = (
        "Exporte un patient (identité et notes) en Bundle FHIR R4 JSON, au nom du compte donné par "
        "--as ; l'export est enregistré dans le journal. Le fichier contient des données de santé en "
        "clair : conservez-le chiffré et supprimez-le après usage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("patient_id", metavar="PATIENT_ID", help="identifiant du patient (UUID)")
        add_operator_argument(parser)
        parser.add_argument(
            "--output", type=Path, default=None, metavar="FICHIER", help="fichier à écrire (sinon la sortie)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = operator_get(options["username"])
        try:
            patient_id = uuid.UUID(options["patient_id"])
        except ValueError:
            raise CommandError("Identifiant de patient invalide : un UUID est attendu.") from None
        try:
            bundle = patient_export(actor=actor, patient_id=patient_id)
        except NotFound:
            raise CommandError("Patient introuvable, effacé, ou inaccessible pour ce compte.") from None
        except EgideError as error:
            raise CommandError(error.describe()) from None
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        # Private to the operator's account, and never a half-written file under the final name.
        partial = output.with_name(f".{output.name}.partiel")
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Impossible d'écrire {output} : {error.strerror}.") from None
        self.stderr.write(f"Export écrit dans {output}.")
