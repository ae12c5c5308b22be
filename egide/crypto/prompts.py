"""Passphrases and recovery shares typed by the operator (never echoed, never logged)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from egide.crypto import runtime
from egide.crypto.errors import KeyStoreError, RecoveryError

Ask = Callable[[str], str]


def _interactive() -> bool:
    return sys.stdin.isatty()


def new_passphrase(ask: Ask | None = None) -> str:
    """A new passphrase: EGIDE_KEY_PASSPHRASE_FILE if set, else typed twice on a terminal."""
    ask = ask or getpass.getpass
    from_file = runtime.passphrase_from_file()
    if from_file is not None:
        runtime.passphrase_check(from_file)
        return from_file
    if not _interactive():
        raise KeyStoreError(
            "Clé maîtresse scellée : indiquez la phrase de passe dans le fichier nommé par "
            "EGIDE_KEY_PASSPHRASE_FILE, ou lancez la commande dans un terminal pour la saisir."
        )
    first = ask("Nouvelle phrase de passe de la clé maîtresse (12 caractères au moins) : ")
    runtime.passphrase_check(first)
    if ask("Saisissez-la une seconde fois : ") != first:
        raise KeyStoreError("Les deux saisies diffèrent : rien n'a été créé, recommencez.")
    return first


def current_passphrase(ask: Ask | None = None) -> str:
    """The passphrase of the existing sealed key: from the file, else typed once."""
    ask = ask or getpass.getpass
    from_file = runtime.passphrase_from_file()
    if from_file is not None:
        return from_file
    if not _interactive():
        raise KeyStoreError(
            "Clé maîtresse scellée : indiquez la phrase de passe dans EGIDE_KEY_PASSPHRASE_FILE, "
            "ou lancez la commande dans un terminal."
        )
    return ask("Phrase de passe de la clé maîtresse : ")


def shares_read(share_files: list[Path], ask: Ask | None = None) -> list[str]:
    """Shares from text files (one share per file, as scanned or typed), else typed one by one
    until an empty line. Typed without echo: the words are the master key."""
    ask = ask or getpass.getpass
    if share_files:
        shares: list[str] = []
        for path in share_files:
            try:
                shares.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                raise RecoveryError(f"Fichier de part illisible : {path}.") from None
        return shares
    if not _interactive():
        raise RecoveryError("Donnez les parts avec --share-file, ou lancez la commande dans un terminal.")
    typed: list[str] = []
    while share := ask(f"Part n°{len(typed) + 1} (ses mots, séparés par des espaces ; vide pour finir) : "):
        typed.append(share)
    return typed


def typed_passphrase(prompt: str) -> str:
    """Ask on the terminal (for `keyring_unseal_interactively`); refuse when there is none."""
    if not _interactive():
        raise KeyStoreError(
            "Clé maîtresse scellée et aucun terminal pour saisir la phrase de passe : indiquez-la "
            "dans le fichier nommé par EGIDE_KEY_PASSPHRASE_FILE, ou lancez la commande dans un terminal."
        )
    return getpass.getpass(prompt)
