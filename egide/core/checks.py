"""Égide's own deployment checks, run by `egide check --deploy`.

Ids are stable (egide.E001…): the README and the posture report refer to them.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Same thresholds as Django's security.W009, but an error here: a guessable key
# forges sessions and password-reset links.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
KNOWN_WEAK_SECRET_KEYS = frozenset({"changeme", "secret", "egide", "demo", "insecure", "password"})


@register(Tags.security, deploy=True)
def check_debug(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return [
            Error(
                "Le mode DEBUG est activé : les pages d'erreur montreraient le code et la configuration.",
                hint="Retirez EGIDE_DEBUG (ou mettez-le à 0) en production.",
                id="egide.E001",
            )
        ]
    return []


def _secret_key_is_weak(key: str) -> bool:
    return (
        bool(getattr(settings, "SECRET_KEY_EPHEMERAL", False))
        or key.startswith("django-insecure")
        or key.lower() in KNOWN_WEAK_SECRET_KEYS
        or len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    )


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if _secret_key_is_weak(settings.SECRET_KEY):
        return [
            Error(
                "La clé secrète est absente, faible ou connue.",
                hint=(
                    "Lancez « egide init » pour en générer une dans le répertoire des clés, "
                    "ou fournissez EGIDE_SECRET_KEY_FILE (au moins 50 caractères aléatoires)."
                ),
                id="egide.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Error(
                "EGIDE_ALLOWED_HOSTS accepte n'importe quel nom d'hôte (*).",
                hint="Indiquez les noms exacts sous lesquels Égide est joint, séparés par des virgules.",
                id="egide.E003",
            )
        ]
    return []


def _is_inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


@register(Tags.security, deploy=True)
def check_key_dir_location(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    key_dir = Path(settings.KEY_DIR).resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    if _is_inside(key_dir, data_dir):
        return [
            Error(
                "Le répertoire des clés se trouve dans le répertoire des données : "
                "une sauvegarde ou une copie des données emporterait les clés.",
                hint="Placez EGIDE_KEY_DIR hors de EGIDE_DATA_DIR (par exemple /etc/egide/keys).",
                id="egide.E004",
            )
        ]
    return []


def _too_open(path: Path, allowed: int) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & ~allowed)


@register(Tags.security, deploy=True)
def check_key_permissions(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    key_dir = Path(settings.KEY_DIR)
    if not key_dir.is_dir():
        return []
    offenders = [key_dir.name + "/"] if _too_open(key_dir, 0o700) else []
    offenders += sorted(
        entry.name for entry in key_dir.iterdir() if entry.is_file() and _too_open(entry, 0o600)
    )
    if offenders:
        return [
            Error(
                "Des fichiers de clés sont lisibles par d'autres comptes que celui d'Égide : "
                + ", ".join(offenders),
                hint=f"chmod 700 {key_dir} && chmod 600 {key_dir}/*",
                id="egide.E005",
            )
        ]
    return []
