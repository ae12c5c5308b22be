from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "egide.core"
    label = "core"
    verbose_name = "Égide"

    def ready(self) -> None:
        from egide.core import checks  # noqa: F401  (registers the egide.E… system checks)
