from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.core.errors import EgideError
from egide.crypto import prompts, runtime
from egide.crypto.errors import CryptoError
from egide.crypto.recovery_kit import master_key_absent_check, master_key_recover, recovery_kit_generate
from egide.crypto.selectors import key_status
from egide.crypto.services import DEFAULT_BATCH_SIZE, master_key_rotate, root_key_rotate

_PROVIDERS = {"file": "fichier (master.key)", "sealed": "scellée par phrase de passe (master.sealed)"}


class Command(BaseCommand):
    help = (
        "Clés de chiffrement : état (status), rotation des clés racines (rotate), changement de la "
        "clé maîtresse (rotate-master), kit de secours imprimable (recovery-kit), reconstitution "
        "de la clé maîtresse depuis le kit (recover)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("status", help="versions des clés racines et nombre de clés par version")
        rotate = actions.add_parser(
            "rotate", help="nouvelle clé racine ; re-chiffre toutes les clés (reprend)"
        )
        rotate.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"clés re-chiffrées par transaction (défaut : {DEFAULT_BATCH_SIZE})",
        )
        actions.add_parser("rotate-master", help="nouvelle clé maîtresse ; un nouveau kit sera à imprimer")
        kit = actions.add_parser(
            "recovery-kit", help="kit de secours PDF (parts k sur n de la clé maîtresse)"
        )
        kit.add_argument("--threshold", type=int, default=2, help="parts nécessaires (défaut : 2)")
        kit.add_argument("--shares", type=int, default=3, help="parts imprimées (défaut : 3)")
        kit.add_argument("--output", type=Path, required=True, help="fichier PDF à créer")
        recover = actions.add_parser("recover", help="reconstitue la clé maîtresse depuis le kit")
        recover.add_argument(
            "--share-file",
            type=Path,
            action="append",
            default=[],
            help="fichier texte d'une part (répétable)",
        )
        recover.add_argument("--keyring", type=Path, help="copie de sauvegarde de keyring.wrapped")
        recover.add_argument(
            "--journal", type=Path, help="journal d'effacement d'une sauvegarde (shredding.journal), fusionné"
        )
        recover.add_argument(
            "--sans-journal",
            action="store_true",
            dest="without_journal",
            help="aucun journal d'effacement disponible et aucun patient jamais effacé",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Every failure reaches the operator as one French sentence, never a traceback; the
        # messages of the crypto core never carry a key, a passphrase or a share.
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (CryptoError, EgideError, ValueError) as error:
            message = error.describe() if isinstance(error, EgideError) else str(error)
            raise CommandError(message) from None

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()  # progress must reach a pipe at once (an operator, a supervisor)

    def _status(self, options: dict[str, Any]) -> None:
        status = key_status()
        self._say(f"Clé maîtresse : {_PROVIDERS[status.provider]}")
        if status.sealed:
            self._say("État : SCELLÉE — les dossiers patients sont inaccessibles jusqu'au descellement.")
            if status.problem:
                self._say(status.problem)
        elif status.problem:
            self._say(f"État : INUTILISABLE — {status.problem}")
        else:
            self._say(f"État : ouverte · empreinte {status.fingerprint}")
        for version in status.versions:
            state = "courante" if version.current else "retirée" if version.retired else "en cours de retrait"
            self._say(f"  racine n°{version.version} : {state:<19} {version.wrapped_keys} clé(s) de données")
        if not status.versions:
            for number, count in status.wrapped_key_counts.items():
                self._say(f"  racine n°{number} : {count} clé(s) de données")
        if status.rotation_pending:
            self._say("Une rotation est inachevée : relancez « egide keys rotate » pour la terminer.")

    def _rotate(self, options: dict[str, Any]) -> None:
        def progress(done: int, total: int) -> None:
            self._say(f"Rotation : {done}/{total} clés re-chiffrées")

        def progress_other(label: str, done: int) -> None:
            self._say(f"Rotation : {done} {label} recalculé(s)")

        result = root_key_rotate(
            batch_size=options["batch_size"], progress=progress, progress_other=progress_other
        )
        verb = "reprise et terminée" if result.resumed else "terminée"
        self._say(
            self.style.SUCCESS(
                f"Rotation {verb} : racine n°{result.new_version} courante, {result.rewrapped} clé(s) "
                "re-chiffrée(s)."
            )
        )
        if result.retired_versions:
            retired = ", ".join(f"n°{version}" for version in result.retired_versions)
            self._say(f"Versions retirées (gardées pour lire les anciennes sauvegardes) : {retired}.")
        if result.remaining:
            self._say(
                f"{result.remaining} clé(s) écrite(s) pendant la rotation : relancez « egide keys rotate »."
            )
        self._say("Le kit de secours reste valable : il protège la clé maîtresse, qui n'a pas changé.")

    def _rotate_master(self, options: dict[str, Any]) -> None:
        passphrase = prompts.current_passphrase() if runtime.is_sealed_provider() else None
        fingerprint = master_key_rotate(passphrase=passphrase)
        self._say(self.style.SUCCESS(f"Nouvelle clé maîtresse en place (empreinte {fingerprint})."))
        self._say(
            "IMPORTANT : l'ancien kit de secours n'ouvre plus le trousseau actuel. Imprimez tout de "
            "suite un nouveau kit (« egide keys recovery-kit --output kit.pdf ») et remettez les "
            "parts. Gardez l'ancien kit sous clé tant que des sauvegardes faites avant ce changement "
            "existent : lui seul les ouvre."
        )
        if runtime.is_sealed_provider() and not runtime.passphrase_from_file():
            self._say(
                "Les processus d'Égide déjà lancés se verrouillent : redémarrez « egide serve » et "
                "« egide worker » et saisissez la phrase de passe (inchangée)."
            )

    def _recovery_kit(self, options: dict[str, Any]) -> None:
        summary = recovery_kit_generate(
            output=options["output"], threshold=options["threshold"], shares=options["shares"]
        )
        self._say(
            self.style.SUCCESS(
                f"Kit de secours écrit dans {options['output']} : {summary.shares} parts, "
                f"{summary.threshold} nécessaires, empreinte {summary.fingerprint}."
            )
        )
        self._say(
            "Imprimez-le, remettez chaque page à un détenteur différent, puis supprimez le fichier "
            "PDF (il contient toutes les parts)."
        )

    def _recover(self, options: dict[str, Any]) -> None:
        master_key_absent_check()
        shares = prompts.shares_read(options["share_file"])
        passphrase = prompts.new_passphrase() if runtime.is_sealed_provider() else None
        recovered = master_key_recover(
            shares=shares,
            keyring_backup=options["keyring"],
            journal_backup=options["journal"],
            passphrase=passphrase,
            without_journal=options["without_journal"],
        )
        if recovered.keyring_copied:
            self._say(f"Trousseau copié depuis {options['keyring']} dans {runtime.key_dir()}.")
        versions = ", ".join(f"n°{version}" for version in recovered.versions)
        self._say(
            self.style.SUCCESS(
                f"Clé maîtresse reconstituée (empreinte {recovered.fingerprint}) ; "
                f"versions de clés racines retrouvées : {versions}."
            )
        )
        self._say("Vérifiez que l'empreinte est celle imprimée sur le kit, puis démarrez Égide.")
