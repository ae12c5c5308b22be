"""Deployment checks of the passkeys' relying party (`egide check --deploy`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


def rp_id() -> str:
    """EGIDE_WEBAUTHN_RP_ID, or else the first host name Égide answers to ("" if only addresses)."""
    if settings.WEBAUTHN_RP_ID:
        return str(settings.WEBAUTHN_RP_ID)
    for host in settings.ALLOWED_HOSTS:
        name = host.lstrip(".")
        if name and name != "*" and not name.startswith("[") and not name.replace(".", "").isdigit():
            return str(name)
    return ""


def rp_id_covers(rp_id: str, hostname: str) -> bool:
    """WebAuthn §5.1.4: the RP id is the host itself or one of its parent domains."""
    return bool(rp_id) and (hostname == rp_id or hostname.endswith("." + rp_id))


@register(Tags.security, deploy=True)
def check_webauthn_rp_id(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    relying_party = rp_id()
    if not relying_party:
        return [
            Warning(
                "Aucun nom d'hôte pour les clés d'accès (passkeys) : EGIDE_ALLOWED_HOSTS ne contient "
                "que des adresses IP, qu'un navigateur refuse pour WebAuthn.",
                hint="Ajoutez le nom du serveur à EGIDE_ALLOWED_HOSTS ou fixez EGIDE_WEBAUTHN_RP_ID.",
                id="egide.mfa.W001",
            )
        ]
    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS]
    if not any(rp_id_covers(relying_party, host) for host in hosts):
        return [
            Error(
                f"EGIDE_WEBAUTHN_RP_ID « {relying_party} » ne correspond à aucun hôte "
                "d'EGIDE_ALLOWED_HOSTS : aucune clé d'accès ne pourrait être enregistrée ni utilisée.",
                hint="Le RP id doit être le nom d'un hôte servi par Égide ou l'un de ses domaines parents.",
                id="egide.mfa.E001",
            )
        ]
    return []
