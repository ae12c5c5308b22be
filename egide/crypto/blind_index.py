"""Keyed blind indexes: search patients without storing searchable plaintext.

A blind index is HMAC-SHA256, under the blind-index purpose key of one root version, of a kind
label and a normalised value, truncated to 128 bits and prefixed with the version
(``"3:<32 hex>"``). The version prefix keeps records searchable during and after a root rotation:
a search computes one index per live version (`Keyring.live_purpose_keys`) and looks for any.

What leaks (DESIGN "Cryptography": document the leakage). Someone who reads the database, without
the keys:
- learns which records share a value of the same kind (equal indexes mean equal normalised values),
  and so how often each value occurs — frequency analysis can guess common names;
- with prefix indexes, also learns which records share a 2..8-character name prefix: a name's
  shape (length class, shared beginnings) leaks, and short prefixes are very common values;
- learns nothing else: the values themselves cannot be computed back without the key, and indexes
  of different kinds or different root versions cannot be compared with each other.
Normalisation widens equality on purpose ("Lefèvre-D'Arc" = "LEFEVRE D ARC") so a secretary finds
the patient however the name was typed. 128 bits make accidental collisions negligible.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from egide.crypto.hierarchy import Purpose, PurposeKey

INDEX_BYTES = 16
# Hyphens and dashes, apostrophes (U+0027, U+2018, U+2019, U+02BC) and dots all separate name
# parts the same way.
_SEPARATORS = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2212'\u2018\u2019\u02bc.]")
# Kinds are code constants ("birth_name", "nir", "ins", "identity"); their alphabet excludes "#",
# which separates a kind from its prefix marker, and NUL, which separates kind from value.
_KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.]{0,63}")
_PREFIX_MARKER = "#prefix"
# NFKD leaves the French ligatures whole; people type "Laetitia" and "Coeur" as often as "Lætitia".
_LIGATURES = str.maketrans({"Œ": "OE", "Æ": "AE"})


# Type-ahead indexes cover a name's first 2 to 8 characters.
PREFIX_MAX_LENGTH = 8


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(value: str) -> str:
    """Canonical search form: no accents, upper case, separators and spaces as single spaces.

    >>> normalise("  Lefèvre-D'Arc ")
    'LEFEVRE D ARC'
    """
    # Upper-casing can produce new decomposable letters and NFKD new lower-case ones ("㎏" -> "kg"),
    # so strip marks on both sides of upper(); the result is then stable (idempotent).
    text = _strip_marks(_strip_marks(value).upper()).translate(_LIGATURES)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def _mac(key: PurposeKey, kind: str, value: str) -> str:
    if key.purpose is not Purpose.BLIND_INDEX:
        # A field or token key must never double as an index key (one key, one purpose).
        raise ValueError("Une clé d'index aveugle est requise.")
    message = kind.encode("ascii") + b"\x00" + value.encode("utf-8")
    digest = hmac.new(key.key, message, hashlib.sha256).digest()[:INDEX_BYTES]
    return f"{key.version}:{digest.hex()}"


def _normalised_or_refuse(kind: str, value: str) -> str:
    if not _KIND_PATTERN.fullmatch(kind):
        raise ValueError("Type d'index invalide.")
    normalised = normalise(value)
    if not normalised:
        # An index of "nothing" would make every blank field look like the same patient.
        raise ValueError("Valeur vide après normalisation : rien à indexer.")
    return normalised


def blind_index(key: PurposeKey, kind: str, value: str) -> str:
    """Index of the whole normalised value, ``"<version>:<32 hex>"``."""
    return _mac(key, kind, _normalised_or_refuse(kind, value))


def prefix_indexes(
    key: PurposeKey, kind: str, value: str, min_len: int = 2, max_len: int = PREFIX_MAX_LENGTH
) -> list[str]:
    """Indexes to store for type-ahead: the normalised value's prefixes of `min_len`..`max_len`
    characters, skipping those that end in a space (a normalised search term never does).

    A prefix index never equals a whole-value index: they use a distinct kind label, so "DU"
    typed in a search box is not mistaken for a patient named "Du".
    """
    if not 1 <= min_len <= max_len:
        raise ValueError("Longueurs de préfixe invalides.")
    normalised = _normalised_or_refuse(kind, value)
    prefixes = (normalised[:length] for length in range(min_len, min(max_len, len(normalised)) + 1))
    return [_mac(key, kind + _PREFIX_MARKER, prefix) for prefix in prefixes if prefix[-1] != " "]


def prefix_index(
    key: PurposeKey, kind: str, typed: str, min_len: int = 2, max_len: int = PREFIX_MAX_LENGTH
) -> str:
    """Index to search for what a person typed, matching one of `prefix_indexes`.

    Text longer than `max_len` is cut to it: the search then over-selects and the caller filters
    the decrypted candidates.
    """
    if not 1 <= min_len <= max_len:
        raise ValueError("Longueurs de préfixe invalides.")
    prefix = _normalised_or_refuse(kind, typed)[:max_len].rstrip()
    if len(prefix) < min_len:
        raise ValueError(f"Saisissez au moins {min_len} caractères pour chercher.")
    return _mac(key, kind + _PREFIX_MARKER, prefix)
