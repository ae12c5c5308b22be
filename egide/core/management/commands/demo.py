from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from egide.accounts.models import User
from egide.core.demo import DEMO_ADMIN, DEMO_PRACTITIONERS, DEMO_STAFF, demo_seed
from egide.core.demo_patients import demo_patients_seed
from egide.core.setup import database_migrate, directories_prepare


class Command(BaseCommand):
    help = (
        "Prépare un cabinet de démonstration avec un compte par rôle (praticiens, secrétariat, DPO, "
        "administrateur). Les données existantes sont conservées."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--patients", type=int, default=2000, help="Nombre de patients fictifs à créer (défaut : 2000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directories_prepare()
        database_migrate()
        accounts = demo_seed()
        if accounts is None:
            usernames = ", ".join([name for name, *_ in DEMO_STAFF] + [DEMO_ADMIN])
            self.stdout.write(
                f"Démonstration existante conservée ({settings.DATA_DIR}). Comptes : {usernames}."
            )
            self.stdout.write(
                "Les mots de passe ont été affichés à la première exécution ; "
                "« make demo-reset » repart de zéro."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                "Cabinet de démonstration créé. Comptes (mots de passe provisoires, affichés une seule "
                "fois ; chacun choisit le sien et active son second facteur à la première connexion) :"
            )
        )
        for account in accounts:
            roles = ", ".join(str(role.label) for role in account.roles)
            self.stdout.write(f"  {account.username:<12} {account.password}   ({roles})")
        self.stdout.flush()
        practitioners = [User.objects.get(username=name) for name in DEMO_PRACTITIONERS]
        count = demo_patients_seed(
            practitioners=practitioners, count=options["patients"], progress=self._progress
        )
        self.stdout.write(f"{count} patients fictifs créés (NIR et INS de démonstration).")

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 25 == 0:
            end = "\n" if done == total else "\r"
            self.stderr.write(f"Patients de démonstration : {done}/{total}", ending=end)
            self.stderr.flush()
