from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from egide.audit.triggers import triggers_create, triggers_drop


class Command(flush.Command):
    """Django's ``flush``, which the append-only journal refuses outside the test suite.

    Only a test run (Django's test environment sets ``mail.outbox``) may empty the
    journal between transactional tests: the triggers are lifted for the flush and put back.
    """

    def handle(self, **options: Any) -> None:
        if not hasattr(mail, "outbox"):
            raise CommandError(
                "Le journal d'audit est en ajout seul : « flush » est refusé. "
                "Pour repartir de zéro, créez une nouvelle installation."
            )
        connection = connections[options["database"]]
        triggers_drop(connection)
        try:
            super().handle(**options)
        finally:
            triggers_create(connection)
