from __future__ import annotations

from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Sessions and the account lifecycle of a practice's staff (issue 5 items 5 and 10)."""

    name = "egide.staff"
    label = "staff"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egide.staff import receivers  # noqa: F401 - connects the signal receivers
