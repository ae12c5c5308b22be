"""Each destination's restic password, derived from the master key and never stored.

Derived from the *master* key, not from the keyring: the wrapped keyring is itself inside the
backups, so a password that needed it would lock the backups behind themselves. With the recovery
kit alone (k shares -> master key), `egide keys recover` rebuilds the master key and every
destination opens again. One label per destination, so one repository's password opens no other.

A new master key (`egide keys rotate-master`) changes every password: the repositories must get
the new one as an additional restic key (README "Sauvegardes").
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from egide.crypto.hierarchy import MasterKey
from egide.crypto.runtime import current_master_key

PASSWORD_LABEL = "egide/backup-repository/v1:"  # noqa: S105 - an HKDF label, not a secret
_PASSWORD_BYTES = 32


def repository_password(master_key: MasterKey, destination_name: str) -> str:
    """The restic password of ``destination_name``: HKDF-SHA256(master, info=label), base64url."""
    if not destination_name:
        raise ValueError("Une destination de sauvegarde a toujours un nom.")
    derived = HKDF(
        algorithm=SHA256(),
        length=_PASSWORD_BYTES,
        salt=None,
        info=(PASSWORD_LABEL + destination_name).encode("utf-8"),
    ).derive(master_key.key)
    return base64.urlsafe_b64encode(derived).decode("ascii").rstrip("=")


def current_repository_password(destination_name: str) -> str:
    """The password under this process's master key (raises if the key is sealed or missing)."""
    return repository_password(current_master_key(), destination_name)
