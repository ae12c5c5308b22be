"""The canonical fields of an event and the bytes of its Merkle leaf.

``canonical.event_leaf_bytes`` (RFC 8785 via the ``rfc8785`` package) is the
reference. For the flat mappings of ASCII keys and str/int/None values built here,
``json.dumps(sort_keys=True, ensure_ascii=False)`` writes the same bytes five times
faster: ASCII keys sort the same by code point and by UTF-16 unit, and both escape
only '"', '\\' and control characters, the latter with the same short forms. Lone
surrogates (not UTF-8 encodable) go to the reference. ``test_leaf_encoding`` checks
the equality with hypothesis.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Final

from egide.audit.canonical import FieldValue, event_leaf_bytes
from egide.audit.merkle import leaf_hash
from egide.audit.models import Event

# Bumped if the fields of a leaf ever change; old leaves keep their version.
LEAF_VERSION: Final = 1
EVENT_FIELDS: Final = (
    "id",
    "time",
    "actor_id",
    "actor_label",
    "action",
    "practice_id",
    "subject_type",
    "subject_id",
    "patient_id",
    "outcome",
    "justification",
    "request_id",
    "source_ip",
    "user_agent_digest",
)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def format_time(time: datetime) -> str:
    """RFC 3339 UTC to the microsecond, what both databases store."""
    return time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_fields(row: tuple[object, ...]) -> dict[str, FieldValue]:
    """Leaf fields from a row of ``EVENT_FIELDS`` values (in that order)."""
    fields: dict[str, FieldValue] = {"v": LEAF_VERSION}
    for name, value in zip(EVENT_FIELDS, row, strict=True):
        if isinstance(value, datetime):
            fields[name] = format_time(value)
        elif isinstance(value, int | str) or value is None:
            fields[name] = value
        else:
            raise TypeError(f"champ d'événement inattendu : {name}")
    return fields


def leaf_bytes(fields: dict[str, FieldValue]) -> bytes:
    try:
        return _dumps(fields).encode("utf-8")
    except UnicodeEncodeError:  # lone surrogate: the reference refuses it clearly
        return event_leaf_bytes(fields)


def row_leaf_hash(row: tuple[object, ...]) -> bytes:
    return leaf_hash(leaf_bytes(canonical_fields(row)))


def event_row(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in EVENT_FIELDS)
