"""Canonical bytes of an audit event: the data of its Merkle leaf.

The leaf hash must be recomputable, byte for byte, from the stored fields by
any verifier, years later, in any language. RFC 8785 (JSON Canonicalization
Scheme) fixes exactly one serialisation: keys sorted by UTF-16 code units
(§3.2.3), no insignificant whitespace (§3.2.1), minimal string escaping
(§3.2.2.2), UTF-8 output (§3.2.4). We rely on the ``rfc8785`` package rather
than on ``json.dumps(sort_keys=True)``, whose key order (code points) and
escaping differ from the RFC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import rfc8785

# RFC 8785 §3.1 takes I-JSON input; RFC 7493 §2.2: integers outside
# ±(2**53 - 1) cannot round-trip through an IEEE 754 double, so are refused.
MAX_SAFE_INTEGER: Final = 2**53 - 1

FieldValue = str | int | None


def event_leaf_bytes(fields: Mapping[str, FieldValue]) -> bytes:
    """RFC 8785 canonical JSON of a flat mapping of event fields.

    Only strings, integers and null are accepted: no floats (their decimal
    form is a classic source of cross-language mismatches), no booleans
    (``True`` is an ``int`` in Python and would silently alias ``1``), no
    nesting. Raises ``TypeError`` / ``ValueError`` on anything else, before
    anything is written.
    """
    for key, value in fields.items():
        if not isinstance(key, str):
            raise TypeError(f"clé de champ non textuelle : {key!r}")
        if isinstance(value, bool) or not (value is None or isinstance(value, str | int)):
            raise TypeError(f"valeur non admise pour le champ {key!r} : {type(value).__name__}")
        if isinstance(value, int) and not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise ValueError(f"entier hors du domaine JSON sûr pour le champ {key!r}")
    try:
        return rfc8785.dumps(dict(fields))
    except rfc8785.CanonicalizationError as exc:  # e.g. lone surrogate in a string
        raise ValueError(f"champ d'événement non canonisable : {exc}") from exc
