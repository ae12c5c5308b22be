"""Backup failures: one exception with a `kind` the status page, the journal and the tests rely on.

Each kind has one French message (msgid in English) saying what happened and what the operator
does next. Messages never carry a password, a repository key or restic's raw output (which can
name files): restic's last line is kept apart, in ``detail``, for the logs.
"""

from __future__ import annotations

from typing import Literal, get_args

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egide.core.errors import EgideError

FaultKind = Literal[
    "unreachable",
    "disk-full",
    "wrong-password",
    "locked",
    "interrupted",
    "refused",
    "host-key",
    "failed",
]

FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

FAULT_MESSAGES: dict[FaultKind, Promise] = {
    "unreachable": _(
        "The backup destination cannot be reached. Check that the disk is plugged in or that the "
        "backup server is switched on and connected to the network, then run the backup again."
    ),
    "disk-full": _(
        "The backup destination is full: nothing was saved. Free some space on it (or replace the "
        "disk), then run the backup again."
    ),
    "wrong-password": _(
        "The backup repository does not accept this installation's key: it was created by another "
        "installation or with another master key. Check the destination's address; after a new "
        "master key, add the new key to the repository (see the README)."
    ),
    "locked": _(
        "The backup repository is locked by another operation (a backup, a check or a cleanup that "
        "is still running or was stopped abruptly). Wait for it to finish; if nothing is running, "
        "unlock it with « egide backup unlock »."
    ),
    "interrupted": _(
        "The backup was interrupted before the end: this copy is not valid. The next backup will "
        "start again normally; if interruptions repeat, check the server's power and memory."
    ),
    "refused": _(
        "The backup destination refused the operation: it only accepts new data (append-only "
        "mode), so nothing can be deleted or overwritten from this server."
    ),
    "host-key": _(
        "The backup server's identity could not be verified: its SSH host key is not the one "
        "recorded for it. It may have been reinstalled, or another machine may be answering in "
        "its place. Nothing was sent. Check the key's fingerprint with the server's administrator "
        "before updating the known_hosts file (see the README)."
    ),
    "failed": _(
        "The backup failed for an unexpected reason: nothing was saved. Look at the server's log "
        "for details and tell your IT provider if it happens again."
    ),
}


class BackupFault(EgideError):
    """restic (or the destination behind it) failed; ``kind`` says how, ``detail`` is for logs."""

    code = "sauvegarde_en_echec"
    http_status = 503

    def __init__(self, kind: FaultKind, *, detail: str = "") -> None:
        self.kind: FaultKind = kind
        self.detail = detail
        super().__init__(FAULT_MESSAGES[kind])

    def __repr__(self) -> str:
        return f"BackupFault({self.kind!r})"
