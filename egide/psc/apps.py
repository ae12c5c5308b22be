from __future__ import annotations

from django.apps import AppConfig


class PscConfig(AppConfig):
    """Pro Santé Connect: staff log in with their CPS card or the e-CPS app (issue 5 item 3)."""

    name = "egide.psc"
    label = "psc"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A root-key rotation re-seals the client secrets before it retires a version.
        from egide.crypto.rotation import root_version_dependent_register
        from egide.psc.services import CLIENT_SECRETS

        root_version_dependent_register(CLIENT_SECRETS)
