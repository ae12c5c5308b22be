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

from egide.crypto.hierarchy import Keyring


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
