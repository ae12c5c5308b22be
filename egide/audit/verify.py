"""Full verification of the journal (issue 3, item 5), in one pass over the leaves.

For each aligned block of leaves: every leaf is recomputed from its event's content
(or, for content pruned under a horizon, taken from the stored hash), the perfect
subtrees are recomputed and compared with the stored ones (proofs are built from them),
and a ``StreamingRoot`` gives the root at every signed head, stored or exported, which
must equal the signed root. Signatures are checked with the key version of each head;
successive heads must be consistent. The first bad position is named, in French.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.utils import timezone

from egide.audit.checkpoint import CheckpointError, parse_and_verify
from egide.audit.heads import HEAD_FILE_SUFFIX, head_verifiers, heads_dir, journal_origin
from egide.audit.leaves import EVENT_FIELDS, row_leaf_hash
from egide.audit.merkle import (
    StreamingRoot,
    consistency_plan,
    consistency_proof,
    range_nodes,
    verify_consistency,
)
from egide.audit.models import Event, Head, Leaf, PruneHorizon, Subtree, subtree_key
from egide.audit.store import prefetched_store, tree_size
from egide.crypto.runtime import current_keyring

# A leaf is placed in the tree within a minute by the worker; a week covers a worker left
# stopped while the web kept recording.
SEQUENCING_SLACK: Final = timedelta(days=7)
BLOCK_LEVEL: Final = 12
BLOCK: Final = 1 << BLOCK_LEVEL
_sha256 = hashlib.sha256


class VerificationFailed(Exception):
    """The first thing found wrong; the message names its position, in French."""


@dataclass
class VerifyReport:
    size: int = 0
    events: int = 0
    pruned: int = 0
    heads: int = 0
    exported: int = 0
    checkpoints: dict[int, tuple[bytes, str]] = field(default_factory=dict)
    head_sizes: list[int] = field(default_factory=list)
    head_times: dict[int, datetime] = field(default_factory=dict)


Progress = Callable[[int, int], None]


def _read_heads(report: VerifyReport, exported_dir: Path | None, *, required: bool) -> None:
    """Check every stored and exported head's signature; collect the roots to check."""
    keyring = current_keyring()
    verifiers = head_verifiers(keyring)
    origin = journal_origin(keyring)
    for head in Head.objects.order_by("size"):
        where = f"La tête signée de taille {head.size} (base de données)"
        verifier = verifiers.get(head.key_version)
        if verifier is None:
            raise VerificationFailed(f"{where} porte une version de clé inconnue ({head.key_version}).")
        try:
            checkpoint = parse_and_verify(head.checkpoint, [verifier], origin=origin)
        except CheckpointError as error:
            raise VerificationFailed(f"{where} est invalide : {error}.") from None
        if checkpoint.size != head.size or checkpoint.root != bytes(head.root):
            raise VerificationFailed(f"{where} ne correspond pas à son texte signé.")
        report.checkpoints[head.size] = (checkpoint.root, where)
        report.head_sizes.append(head.size)
        if checkpoint.time is not None:
            report.head_times[head.size] = checkpoint.time
        report.heads += 1
    if exported_dir is None:
        return
    if not exported_dir.is_dir():
        if required:
            raise VerificationFailed(f"Répertoire des têtes exportées introuvable : {exported_dir}.")
        return
    for path in sorted(exported_dir.glob(f"*{HEAD_FILE_SUFFIX}")):
        where = f"La tête exportée {path.name}"
        try:
            checkpoint = parse_and_verify(path.read_bytes(), verifiers.values(), origin=origin)
        except CheckpointError as error:
            raise VerificationFailed(f"{where} est invalide : {error}.") from None
        stored = report.checkpoints.get(checkpoint.size)
        if stored is None and checkpoint.size <= tree_size():
            raise VerificationFailed(
                f"{where} (taille {checkpoint.size}) n'a plus de tête correspondante dans la base : "
                "la table des têtes a été modifiée."
            )
        if stored is not None and stored[0] != checkpoint.root:
            raise VerificationFailed(
                f"{where} contredit la tête de même taille ({checkpoint.size}) de la base : "
                "le journal a été réécrit."
            )
        report.checkpoints.setdefault(checkpoint.size, (checkpoint.root, where))
        report.exported += 1


def _fetch(sql: str, params: list[int]) -> list[tuple[Any, ...]]:
    """Plain cursor for the two hot reads: the hashes need no ORM conversion."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def _current_horizon() -> int:
    return PruneHorizon.objects.order_by("-up_to_event").values_list("up_to_event", flat=True).first() or 0


def _check_horizon(report: VerifyReport) -> None:
    """Content may be missing only for events older than the retention period.

    The delete trigger trusts the horizon table, which someone with write access could
    extend to erase recent traces. The signed head just before the last pruned leaf was
    signed before that leaf existed: it must be older than the retention period.
    """
    horizon = PruneHorizon.objects.order_by("-up_to_event").values_list("up_to_event", flat=True).first()
    if horizon is None:
        return
    last_leaf = (
        Leaf.objects.filter(event_id__lte=horizon)
        .order_by("-leaf_index")
        .values_list("leaf_index", flat=True)
        .first()
    )
    if last_leaf is None:
        return
    before = [size for size in report.head_times if size <= last_leaf]
    limit = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS) + SEQUENCING_SLACK
    if before and report.head_times[max(before)] > limit:
        raise VerificationFailed(
            f"L'horizon de conservation efface le contenu jusqu'à l'événement n°{horizon} (feuille "
            f"n°{last_leaf}), plus récent que la durée de conservation : des traces ont été effacées."
        )


def _levels(hashes: list[bytes]) -> list[list[bytes]]:
    levels = [hashes]
    while len(levels[-1]) > 1:
        it = iter(levels[-1])
        levels.append([_sha256(b"\x01" + a + b).digest() for a, b in zip(it, it, strict=False)])
    return levels


def _subtree_text(level: int, index: int) -> str:
    first = index << level
    return f"Le sous-arbre du niveau {level} couvrant les feuilles n°{first} à n°{first + (1 << level) - 1}"


class _Pass:
    def __init__(self, report: VerifyReport, size: int) -> None:
        self.report = report
        self.size = size
        self.streaming = StreamingRoot()
        self.horizon = _current_horizon()
        self.high = {
            key: bytes(h)
            for key, h in Subtree.objects.filter(level__gt=BLOCK_LEVEL).values_list("node", "hash")
        }
        self.carry: list[tuple[int, bytes]] = []
        self.last_event = 0

    def _leaf_hashes(self, start: int, end: int) -> list[bytes]:
        leaves = _fetch(
            f"SELECT leaf_index, event_id, hash FROM {Leaf._meta.db_table} "  # noqa: S608
            "WHERE leaf_index >= %s AND leaf_index < %s ORDER BY leaf_index",
            [start, end],
        )
        ids = [event_id for _, event_id, _ in leaves]
        rows = (
            {
                row[0]: row
                for row in Event.objects.filter(id__gte=min(ids), id__lte=max(ids)).values_list(*EVENT_FIELDS)
            }
            if ids
            else {}
        )
        hashes: list[bytes] = []
        for expected, (index, event_id, stored) in zip(range(start, end), leaves, strict=False):
            if index != expected:
                raise VerificationFailed(f"La feuille n°{expected} a disparu de l'arbre.")
            if event_id <= self.last_event:
                raise VerificationFailed(f"La feuille n°{index} est hors d'ordre (événement n°{event_id}).")
            self.last_event = event_id
            row = rows.get(event_id)
            if row is None:
                if event_id > self.horizon:  # a pruning may have run since the start: re-read
                    self.horizon = _current_horizon()
                if event_id > self.horizon:
                    raise VerificationFailed(f"L'événement n°{event_id} (feuille n°{index}) a été supprimé.")
                self.report.pruned += 1
            elif row_leaf_hash(row) != bytes(stored):
                raise VerificationFailed(
                    f"L'événement n°{event_id} (feuille n°{index}) a été modifié : "
                    "son contenu ne correspond plus à l'empreinte de l'arbre."
                )
            else:
                self.report.events += 1
            hashes.append(bytes(stored))
        if len(hashes) != end - start:
            raise VerificationFailed(f"La feuille n°{start + len(hashes)} a disparu de l'arbre.")
        return hashes

    def _check_subtrees(self, start: int, levels: list[list[bytes]]) -> None:
        stored = {
            key: bytes(h)
            for key, h in _fetch(
                f"SELECT node, hash FROM {Subtree._meta.db_table} "  # noqa: S608
                "WHERE first_leaf >= %s AND first_leaf < %s AND level <= %s",
                [start, start + BLOCK, BLOCK_LEVEL],
            )
        }
        for level in range(1, len(levels)):
            for offset, digest in enumerate(levels[level]):
                index = (start >> level) + offset
                if stored.pop(subtree_key(level, index), None) != digest:
                    raise VerificationFailed(f"{_subtree_text(level, index)} est absent ou altéré.")
        if stored:
            level, first = divmod(min(stored), 1 << 48)
            raise VerificationFailed(
                f"{_subtree_text(level, first)} a été ajouté à la table des sous-arbres."
            )
        if len(levels) == BLOCK_LEVEL + 1:  # full block: carry it up like a binary counter
            level, digest, index = BLOCK_LEVEL, levels[-1][0], start >> BLOCK_LEVEL
            while index & 1:
                _, left = self.carry.pop()
                digest = _sha256(b"\x01" + left + digest).digest()
                level += 1
                index >>= 1
                if self.high.pop(subtree_key(level, index), None) != digest:
                    raise VerificationFailed(f"{_subtree_text(level, index)} est absent ou altéré.")
            self.carry.append((level, digest))

    def _feed(self, start: int, end: int, levels: list[list[bytes]]) -> None:
        cuts = sorted(s for s in self.report.checkpoints if start < s <= end)
        position = start
        for cut in [*cuts, end]:
            for level, index in range_nodes(position, cut):
                self.streaming.append_subtree(levels[level][index - (start >> level)], level)
            position = cut
            expected = self.report.checkpoints.get(cut)
            if expected is not None and cut in cuts and self.streaming.root() != expected[0]:
                raise VerificationFailed(
                    f"{expected[1]} ne correspond pas au journal recalculé jusqu'à la feuille "
                    f"n°{cut - 1} : la tête a été remplacée ou le journal réécrit."
                )

    def run(self, progress: Progress | None) -> None:
        for start in range(0, self.size, BLOCK):
            end = min(start + BLOCK, self.size)
            levels = _levels(self._leaf_hashes(start, end))
            self._check_subtrees(start, levels)
            self._feed(start, end, levels)
            if progress is not None:
                progress(end, self.size)
        if self.high:
            level, first = divmod(min(self.high), 1 << 48)
            raise VerificationFailed(
                f"{_subtree_text(level, first)} a été ajouté à la table des sous-arbres."
            )
        beyond = [s for s in self.report.checkpoints if s > self.size]
        if beyond:
            where = self.report.checkpoints[min(beyond)][1]
            raise VerificationFailed(
                f"{where} compte {min(beyond)} événements, mais le journal n'a plus que {self.size} "
                "feuilles : sa fin a été tronquée."
            )
        hidden = Event.objects.filter(id__lte=self.last_event).count() - self.report.events
        if hidden:
            raise VerificationFailed(
                f"{hidden} événement(s) antérieur(s) à l'événement n°{self.last_event} "
                "n'ont pas de place dans l'arbre : ils y ont été insérés après coup."
            )


def _check_consistency(report: VerifyReport) -> None:
    sizes = report.head_sizes
    for old, new in itertools.pairwise(sizes):
        proof = consistency_proof(prefetched_store(_consistency_nodes(old, new)), old, new)
        if not verify_consistency(old, new, report.checkpoints[old][0], report.checkpoints[new][0], proof):
            raise VerificationFailed(f"Les têtes de taille {old} et {new} ne sont pas cohérentes.")


def _consistency_nodes(old: int, new: int) -> list[tuple[int, int]]:
    return [node for nodes in consistency_plan(old, new) for node in nodes]


def journal_check(*, exported_dir: Path | None = None, progress: Progress | None = None) -> VerifyReport:
    """Verify everything; raise ``VerificationFailed`` naming the first bad position."""
    report = VerifyReport()
    required = exported_dir is not None
    _read_heads(report, exported_dir if required else heads_dir(), required=required)
    report.size = tree_size()
    _check_horizon(report)
    _Pass(report, report.size).run(progress)
    _check_consistency(report)
    return report
