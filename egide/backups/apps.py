from __future__ import annotations

from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "egide.backups"
    label = "backups"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egide.backups.master_key import repositories_follow
        from egide.crypto.rotation import master_key_dependent_register

        master_key_dependent_register("backup repositories", repositories_follow)
