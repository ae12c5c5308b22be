"""The printed recovery kit and the rebuild of a lost key directory from its shares.

The kit backs up the master key, not the root keys: the master key opens any copy of the wrapped
keyring (which travels with backups), so kit + any backup brings every root version back, even
versions added after the kit was printed (DESIGN "Data and storage").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.crypto import runtime
from egide.crypto.errors import DecryptionError, KeyStoreError, RecoveryError
from egide.crypto.files import ensure_private_dir, write_new_file
from egide.crypto.hierarchy import Keyring
from egide.crypto.recovery import combine_shares, split_master_key
from egide.crypto.selectors import master_key_fingerprint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KitSummary:
    fingerprint: str
    threshold: int
    shares: int


def _refuse_shared_places(output: Path) -> None:
    """The kit holds every share, so it is the master key: never where data or heads are copied."""
    target = output.resolve()
    for place in (Path(settings.DATA_DIR), Path(settings.AUDIT_HEADS_DIR)):
        place = place.resolve()
        if target == place or place in target.parents:
            raise KeyStoreError(
                f"Le kit de secours contient toute la clé maîtresse : ne l'écrivez pas dans {place}, "
                "qui est copié et sauvegardé. Choisissez un dossier privé, imprimez le kit, puis "
                "effacez le fichier."
            )


def recovery_kit_generate(*, output: Path, threshold: int = 2, shares: int = 3) -> KitSummary:
    """Write the French PDF kit at `output` (0600, never over an existing file): one page per
    share holder with the SLIP-39 words, the restore procedure, the date and the fingerprint."""
    # Heavy import (Pango), only for this command; weasyprint ships no type information.
    from weasyprint import HTML

    _refuse_shared_places(output)
    runtime.require_unsealed()
    master = runtime.current_master_key()
    mnemonics = split_master_key(master, threshold, shares)
    fingerprint = master_key_fingerprint(master)
    pages = [
        {"number": number, "words": list(enumerate(mnemonic.split(), start=1))}
        for number, mnemonic in enumerate(mnemonics, start=1)
    ]
    html = render_to_string(
        "crypto/recovery_kit.html",
        {
            "pages": pages,
            "threshold": threshold,
            "shares": shares,
            "fingerprint": fingerprint,
            "printed_on": date.today().strftime("%d/%m/%Y"),
        },
    )
    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise KeyStoreError("Le PDF du kit de secours n'a pas pu être produit.")
    with transaction.atomic():
        audit_record(
            action=Action.RECOVERY_KIT_GENERATED,
            subject_type="crypto.master-key",
            subject_id=fingerprint,
        )
        try:
            write_new_file(output, pdf)
        except FileExistsError:
            raise KeyStoreError(f"{output} existe déjà : Égide refuse de l'écraser.") from None
    logger.info("Kit de secours produit : %d parts, seuil %d, empreinte %s", shares, threshold, fingerprint)
    return KitSummary(fingerprint, threshold, shares)


@dataclass(frozen=True)
class RecoveredKeys:
    fingerprint: str
    versions: tuple[int, ...]
    keyring_copied: bool


def master_key_absent_check() -> None:
    """Refuse early (before any share is typed) when a master key is already in place."""
    master_file = runtime.master_file_path()
    if master_file.exists():
        raise KeyStoreError(
            f"Une clé maîtresse existe déjà ({master_file}) : Égide refuse de la remplacer. "
            "Déplacez-la d'abord si vous êtes sûr de vouloir la reconstituer."
        )


def master_key_recover(
    *,
    shares: list[str],
    keyring_backup: Path | None = None,
    journal_backup: Path | None = None,
    passphrase: str | None = None,
    without_journal: bool = False,
) -> RecoveredKeys:
    """Rebuild the master key in the key directory from k shares of the kit.

    Refuses to replace an existing master key. The rebuilt key must open the wrapped keyring
    (the one in the key directory, else the backup copy given, which is then copied in) before
    anything is written: a wrong kit never leaves a key that opens nothing. `journal_backup`, the
    shredding journal of a backup, is merged so erasures made before the loss stay erased.
    """
    master_key_absent_check()
    master = combine_shares(shares)
    keyring_path = runtime.keyring_path()
    copied = not keyring_path.exists()
    lost_journal = copied and not runtime.shredding_journal().path.exists()
    if lost_journal and journal_backup is None and not without_journal:
        # The key directory was lost with its shredding journal: a database restored from a backup
        # would show again the patients erased since that backup (DESIGN.md "Crypto-shredding").
        raise KeyStoreError(
            "Journal d'effacement introuvable : indiquez celui de la sauvegarde la plus récente avec "
            "--journal CHEMIN (fichier shredding.journal), ou --sans-journal si aucun patient n'a "
            "jamais été effacé."
        )
    if copied:
        if keyring_backup is None:
            raise KeyStoreError(
                f"Trousseau introuvable ({keyring_path}) : indiquez sa copie de sauvegarde avec "
                "--keyring CHEMIN (fichier keyring.wrapped)."
            )
        source = keyring_backup
    else:
        source = keyring_path
    try:
        wrapped = source.read_bytes()
    except OSError:
        raise KeyStoreError(f"Trousseau illisible : {source}.") from None
    try:
        keyring = Keyring.unwrap(master, wrapped)
    except DecryptionError:
        raise RecoveryError(
            "Ces parts ne reconstituent pas la clé de ce trousseau : vérifiez que le kit et la "
            "sauvegarde viennent de la même installation (l'empreinte est imprimée sur le kit)."
        ) from None
    fingerprint = master_key_fingerprint(master)
    ensure_private_dir(runtime.key_dir())
    if copied:
        write_new_file(keyring_path, wrapped)
    if journal_backup is not None:
        runtime.shredding_journal().merge_from(journal_backup)
    with transaction.atomic():
        audit_record(
            action=Action.MASTER_KEY_RECOVERED, subject_type="crypto.master-key", subject_id=fingerprint
        )
        runtime.master_key_store(master, passphrase=passphrase)
    runtime.keyring_forget()
    logger.info("Clé maîtresse reconstituée depuis le kit : empreinte %s", fingerprint)
    return RecoveredKeys(fingerprint, keyring.versions, copied)
