from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "egide.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egide.audit import receivers

        receivers.connect()
