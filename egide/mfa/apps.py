from __future__ import annotations

from django.apps import AppConfig


class MfaConfig(AppConfig):
    """The second factor's own data: sealed TOTP secrets, passkeys, the practice's approved means."""

    name = "egide.mfa"
    label = "mfa"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from egide.crypto.rotation import root_version_dependent_register
        from egide.mfa import checks  # noqa: F401  # registers the deployment checks
        from egide.mfa.totp import TOTP_SECRETS

        root_version_dependent_register(TOTP_SECRETS)
