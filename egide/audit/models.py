"""The journal's tables. Every one is append-only (database triggers, migration 0002).

Events are inserted cheaply by the requests that cause them; the sequencer then gives
each one its place in the RFC 9162 tree (``Leaf``) and stores the perfect subtrees the
new leaves complete (``Subtree``), so roots and proofs cost O(log n) lookups. No foreign
key: an event outlives the user, practice or patient it names (DESIGN.md "Audit").
"""

from __future__ import annotations

from django.db import models

from egide.audit.actions import Outcome

# Subtree rows are keyed by one integer: level in the high bits, index below.
SUBTREE_INDEX_BITS = 48


def subtree_key(level: int, index: int) -> int:
    return (level << SUBTREE_INDEX_BITS) | index


class Event(models.Model):
    """One traced operation. Opaque ids only: never a copy of personal data."""

    id = models.BigAutoField(primary_key=True)
    time = models.DateTimeField(db_index=True)
    actor_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The label survives the account's deletion: who did it stays readable.
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    practice_id = models.CharField(max_length=64, blank=True, db_index=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=80, blank=True)
    patient_id = models.CharField(max_length=80, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    justification = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    source_ip = models.CharField(max_length=45, blank=True)
    user_agent_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        # A patient's trail, newest first, page by page: read in this index's order, it stops at
        # the rows a page shows, however often the record was opened. (Only added: an index
        # changed on a column would make SQLite rebuild the table, and the append-only triggers
        # with it.)
        indexes = [models.Index(fields=["patient_id", "practice_id", "id"], name="audit_event_trail")]

    def __str__(self) -> str:
        return f"{self.id}:{self.action}"


class Leaf(models.Model):
    """Position of an event in the Merkle tree, and its leaf hash (kept after pruning)."""

    leaf_index = models.BigIntegerField(primary_key=True)
    event_id = models.BigIntegerField(unique=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"{self.leaf_index}:{self.event_id}"


class Subtree(models.Model):
    """Hash of a perfect subtree (level >= 1): ``node`` = subtree_key(level, index)."""

    node = models.BigIntegerField(primary_key=True)
    level = models.SmallIntegerField()
    first_leaf = models.BigIntegerField(db_index=True)
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"{self.level}:{self.first_leaf}"


class Head(models.Model):
    """A signed tree head: the C2SP checkpoint text and the root-key version that signed it."""

    size = models.BigIntegerField(primary_key=True)
    root = models.BinaryField(max_length=32)
    time = models.DateTimeField()
    key_version = models.IntegerField()
    checkpoint = models.TextField()

    def __str__(self) -> str:
        return f"head:{self.size}"


class PruneHorizon(models.Model):
    """Event content up to ``up_to_event`` (inclusive) may be deleted; leaf hashes stay.

    The delete trigger on events reads the largest horizon, so this table only grows.
    """

    id = models.BigAutoField(primary_key=True)
    up_to_event = models.BigIntegerField()
    up_to_leaf = models.BigIntegerField()
    time = models.DateTimeField()

    def __str__(self) -> str:
        return f"horizon:{self.up_to_event}"
