from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

from egide.crypto.errors import CryptoError
from egide.crypto.prompts import typed_passphrase
from egide.crypto.services import keyring_unseal_interactively
from egide.env import env_int
from egide.wsgi import application


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return application


class Command(BaseCommand):
    help = "Sert l'interface web d'Égide (serveur de production gunicorn). Écoute sur 127.0.0.1 par défaut."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Adresse d'écoute (défaut : 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port d'écoute (défaut : 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SECRET_KEY_EPHEMERAL:
            raise CommandError("Égide n'est pas initialisé : lancez d'abord « egide init ».")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "La base de données n'est pas à jour : lancez « egide init » (sans danger à relancer)."
            )
        # Sealed master key without a passphrase file: ask once here, on the terminal, before
        # gunicorn forks, so every worker inherits the unsealed key (it lives only in memory;
        # see egide/crypto/runtime.py). Without a terminal: a French refusal, nothing served.
        try:
            unsealed = keyring_unseal_interactively(typed_passphrase)
        except CryptoError as error:
            raise CommandError(str(error)) from None
        if not unsealed:
            raise CommandError("Phrase de passe incorrecte (3 essais) : Égide n'a pas démarré.")
        connection.close()  # each gunicorn worker opens its own connection after the fork
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Égide est servi sur http://{bind}/ — Ctrl+C pour arrêter.")
        _Gunicorn(
            {
                "bind": bind,
                "workers": env_int("EGIDE_WEB_WORKERS", 2, minimum=1),
                "accesslog": "-",
                "timeout": 120,
                # No gunicornc control socket in the operator's home directory.
                "control_socket_disable": True,
            }
        ).run()
