"""What else depends on a root-key version, so a rotation can move it before retiring the version.

Wrapped data keys are the crypto part's own (`WrappedKey`); other parts hold values derived from a
root version too, for example the vault's blind indexes ("<version>:<hex>", DESIGN "Search without
plaintext"). Crypto cannot import those parts (dependencies point downward), so each registers a
dependent from its AppConfig.ready(); `egide keys rotate` migrates every dependent in batches after
the data keys and retires a version only when no dependent still uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from egide.crypto.hierarchy import Keyring, MasterKey


@dataclass(frozen=True)
class RootVersionDependent:
    # French, for the progress lines: "index de recherche des patients".
    label: str
    # Root versions some item still uses (an indexed query, cheap).
    versions_in_use: Callable[[], set[int]]
    # Move up to `batch_size` items still under an older version to the keyring's current version,
    # in one transaction (resumable: the items themselves are the state); return how many.
    migrate_batch: Callable[[Keyring, int], int]


_dependents: dict[str, RootVersionDependent] = {}


def root_version_dependent_register(dependent: RootVersionDependent) -> None:
    """Register (or replace, by label) a dependent; call it from the part's AppConfig.ready()."""
    _dependents[dependent.label] = dependent


def root_version_dependents() -> list[RootVersionDependent]:
    return list(_dependents.values())


# --- the master key ---------------------------------------------------------------------------
# A few things are derived from the master key itself rather than from a root version: the backup
# repositories' passwords (so the recovery kit alone reopens them, issue 6). A master-key rotation
# calls each dependent with the old and the new key BEFORE the new key replaces the old one; a
# dependent that cannot follow raises (a French `KeyStoreError`), and the rotation is abandoned
# with nothing changed, so no backup is left behind a key nobody holds.
MasterKeyDependent = Callable[[MasterKey, MasterKey], None]

_master_dependents: dict[str, MasterKeyDependent] = {}


def master_key_dependent_register(label: str, dependent: MasterKeyDependent) -> None:
    """Register (or replace, by label) a dependent; call it from the part's AppConfig.ready()."""
    _master_dependents[label] = dependent


def master_key_dependents() -> list[MasterKeyDependent]:
    return list(_master_dependents.values())
