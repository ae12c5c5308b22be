from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from egide.core.demo import DEMO_ADMIN, DEMO_STAFF, demo_seed
from egide.core.setup import database_migrate, directories_prepare


class Command(BaseCommand):
    help = (
        "Prépare un cabinet de démonstration avec un compte par rôle (praticiens, secrétariat, DPO, "
        "administrateur). Les données existantes sont conservées."
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
                "Cabinet de démonstration créé. Comptes (mots de passe affichés une seule fois) :"
            )
        )
        for account in accounts:
            roles = ", ".join(str(role.label) for role in account.roles)
            self.stdout.write(f"  {account.username:<12} {account.password}   ({roles})")
