from __future__ import annotations

from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "egide.crypto"
    label = "crypto"
    default_auto_field = "django.db.models.BigAutoField"
