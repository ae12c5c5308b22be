"""Typed readers for EGIDE_* environment variables.

Every reader raises ``ImproperlyConfigured`` on a malformed value: a typo in a
production setting must stop the start, never silently fall back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui", "vrai"}
_FALSE = {"0", "false", "no", "off", "non", "faux", ""}


def _raw(name: str) -> str | None:
    if not name.startswith("EGIDE_"):
        raise ImproperlyConfigured(f"{name} : les variables d'Égide commencent par EGIDE_.")
    return os.environ.get(name)


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir 1/0, true/false ou oui/non (reçu : {value!r}).")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier (reçu : {value!r}).") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} doit être supérieur ou égal à {minimum} (reçu : {number}).")
    return number


def env_path(name: str, default: Path) -> Path:
    value = _raw(name)
    if value is None:
        return default.resolve()
    if not value.strip():
        raise ImproperlyConfigured(f"{name} ne peut pas être vide.")
    return Path(value).expanduser().resolve()


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"{name} : liste séparée par des virgules, sans élément vide (reçu : {value!r})."
        )
    return items


def env_secret(name: str) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE (never both).

    The _FILE form keeps secrets out of the process environment (systemd
    credentials, Docker secrets).
    """
    direct = _raw(name)
    file_name = _raw(f"{name}_FILE")
    if direct is not None and file_name is not None:
        raise ImproperlyConfigured(f"{name} et {name}_FILE sont tous deux définis : n'en gardez qu'un.")
    if file_name is not None:
        try:
            secret = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE : fichier illisible ({exc.strerror}).") from None
        if not secret:
            raise ImproperlyConfigured(f"{name}_FILE : le fichier est vide.")
        return secret
    if direct is not None and not direct.strip():
        raise ImproperlyConfigured(f"{name} ne peut pas être vide.")
    return direct
