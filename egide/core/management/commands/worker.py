from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from egide.core.setup import jobs_queue_prepare


class Command(BaseCommand):
    help = (
        "Exécute les tâches de fond d'Égide (sauvegardes, vérifications, rappels…) et leurs "
        "planifications. À laisser tourner en permanence à côté de « egide serve »."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs_queue_prepare()
        self.stdout.write("Exécuteur de tâches démarré — Ctrl+C pour arrêter.")
        call_command("run_huey")
