"""Reads of the crypto part: the facts `egide keys status` and the admin page show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Count

from egide.crypto import runtime
from egide.crypto.errors import CryptoError
from egide.crypto.hierarchy import MasterKey
from egide.crypto.models import WrappedKey
from egide.crypto.rotation import root_version_dependents


def wrapped_key_counts() -> dict[int, int]:
    """Number of wrapped data keys per root version."""
    rows = WrappedKey.objects.values("root_version").annotate(count=Count("pk")).order_by("root_version")
    return {row["root_version"]: row["count"] for row in rows}


def master_key_fingerprint(master: MasterKey) -> str:
    """A short, printable fingerprint of the master key (a hash, never the key): the kit and
    `egide keys status` show it, so a holder can tell which key a kit belongs to."""
    digest = hashlib.sha256(b"egide-master-fingerprint-v1\x00" + master.key).hexdigest()[:20].upper()
    return "-".join(digest[index : index + 4] for index in range(0, 20, 4))


def root_versions_in_use() -> set[int]:
    """Root versions still used by a wrapped key or by a registered dependent (blind indexes…)."""
    in_use = set(wrapped_key_counts())
    for dependent in root_version_dependents():
        in_use |= dependent.versions_in_use()
    return in_use


@dataclass(frozen=True)
class RootVersionStatus:
    version: int
    current: bool
    retired: bool
    wrapped_keys: int


@dataclass(frozen=True)
class KeyStatus:
    provider: str  # "file" or "sealed"
    sealed: bool
    # Empty while sealed or unreadable: only the master key opens the keyring.
    versions: tuple[RootVersionStatus, ...]
    wrapped_key_counts: dict[int, int]
    rotation_pending: bool
    problem: str  # a French sentence when the keyring cannot be read, else ""
    fingerprint: str  # of the master key, as printed on the recovery kit; "" while sealed


def key_status() -> KeyStatus:
    """Provider, sealed or not, root versions (current, retired) and wrapped keys per version."""
    counts = wrapped_key_counts()
    sealed = runtime.is_sealed()
    versions: tuple[RootVersionStatus, ...] = ()
    pending = False
    fingerprint = ""
    problem = runtime.unseal_problem() if sealed else ""
    if not sealed:
        try:
            keyring = runtime.current_keyring()
        except CryptoError as error:
            problem = str(error)
        else:
            fingerprint = master_key_fingerprint(runtime.current_master_key())
            versions = tuple(
                RootVersionStatus(
                    version=version,
                    current=version == keyring.current_version,
                    retired=version in keyring.retired_versions,
                    wrapped_keys=counts.get(version, 0),
                )
                for version in keyring.versions
            )
            pending = any(not status.current and not status.retired for status in versions) or any(
                version < keyring.current_version for version in root_versions_in_use()
            )
    return KeyStatus(
        provider="sealed" if runtime.is_sealed_provider() else "file",
        sealed=sealed,
        versions=versions,
        wrapped_key_counts=counts,
        rotation_pending=pending,
        problem=problem,
        fingerprint=fingerprint,
    )
