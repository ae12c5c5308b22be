from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egide.crypto import prompts, runtime
from egide.crypto.errors import CryptoError
from egide.crypto.services import keyring_unseal


class Command(BaseCommand):
    help = (
        "Vérifie la phrase de passe de la clé maîtresse scellée et qu'elle ouvre le trousseau. "
        "Une clé descellée ne vit que dans la mémoire du processus : « egide serve » la demande "
        "au démarrage, ou la lit dans EGIDE_KEY_PASSPHRASE_FILE."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not runtime.is_sealed_provider():
            self.stdout.write("La clé maîtresse n'est pas scellée (EGIDE_KEY_PROVIDER=file) : rien à faire.")
            return
        try:
            current_version = keyring_unseal(passphrase=prompts.current_passphrase())
        except CryptoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Phrase de passe correcte : le trousseau s'ouvre (racine courante n°{current_version})."
            )
        )
        self.stdout.write(
            "Pour servir Égide : « egide serve » demande la phrase de passe au démarrage, avant de "
            "lancer ses processus ; sans terminal, donnez-la par EGIDE_KEY_PASSPHRASE_FILE."
        )
