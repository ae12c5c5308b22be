"""Backend credentials of a destination (S3 keys, REST server account), outside the database.

One file per destination, ``<EGIDE_BACKUP_CREDENTIALS_DIR>/<name>.env`` (by default in the key
directory, which no backup ever copies as a whole), ``NAME=value`` lines, 0600. Only the variables
restic's backends read are taken; anything else in the file is ignored.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

logger = logging.getLogger(__name__)

BACKEND_VARIABLES = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "RESTIC_REST_USERNAME",
        "RESTIC_REST_PASSWORD",
    }
)
_REST_ACCOUNT = ("RESTIC_REST_USERNAME", "RESTIC_REST_PASSWORD")


def credentials_path(name: str) -> Path:
    return Path(settings.BACKUP_CREDENTIALS_DIR) / f"{name}.env"


def credentials_read(name: str) -> dict[str, str]:
    """The restic backend variables of destination ``name`` ({} when it has no file)."""
    path = credentials_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        variable, value = (part.strip() for part in line.split("=", 1))
        if variable in BACKEND_VARIABLES and value:
            values[variable] = value.strip("'\"")
    if path.stat().st_mode & 0o077:
        logger.warning("backup credentials file for %s is readable by other accounts", name)
    return values


def backend_environment(kind: str, name: str) -> dict[str, str]:
    """Variables for restic's environment; the REST account goes into the URL instead (restic
    before 0.16 does not read RESTIC_REST_USERNAME/PASSWORD)."""
    return {key: value for key, value in credentials_read(name).items() if key not in _REST_ACCOUNT}


def location_with_credentials(kind: str, location: str, name: str) -> str:
    if kind != "rest":
        return location
    values = credentials_read(name)
    user, password = (values.get(key, "") for key in _REST_ACCOUNT)
    if not user or not location.startswith("rest:"):
        return location
    parts = urlsplit(location.removeprefix("rest:"))
    host = parts.netloc.rsplit("@", 1)[-1]
    account = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    return "rest:" + urlunsplit(parts._replace(netloc=f"{account}@{host}"))
