from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from egide.core.errors import EgideError
from egide.core.setup import database_migrate, directories_prepare, first_practice_create
from egide.crypto.errors import CryptoError


class Command(BaseCommand):
    help = (
        "Prépare Égide : répertoires des données et des clés (accès réservé), clé secrète, "
        "base de données, puis le cabinet et son premier compte administrateur. "
        "Sans danger à relancer : rien d'existant n'est écrasé."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--practice-name", default="Mon cabinet", help="Nom du cabinet (défaut : « Mon cabinet »)."
        )
        parser.add_argument("--siren", default="", help="Numéro SIREN du cabinet (9 chiffres), facultatif.")
        parser.add_argument(
            "--admin-username", default="admin", help="Identifiant du premier administrateur."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            secret_key_created = directories_prepare()
        except (CryptoError, ValueError) as error:
            # Key creation: French messages that never carry the passphrase.
            raise CommandError(str(error)) from None
        if secret_key_created:
            self.stdout.write(f"Clé secrète créée dans {settings.KEY_DIR} (accès réservé au compte d'Égide).")
        database_migrate()
        self.stdout.write(f"Base de données à jour ({settings.DATA_DIR}).")
        try:
            admin = first_practice_create(
                practice_name=options["practice_name"],
                siren=options["siren"],
                admin_username=options["admin_username"],
            )
        except EgideError as error:
            raise CommandError(error.describe()) from None
        if admin is None:
            self.stdout.write("Le cabinet existe déjà : aucun compte n'a été modifié.")
            return
        self.stdout.write(self.style.SUCCESS(f"Cabinet « {options['practice_name']} » créé."))
        self.stdout.write(f"Administrateur : {admin.username}   mot de passe : {admin.password}")
        self.stdout.write("Notez ce mot de passe maintenant : il ne sera plus jamais affiché.")
