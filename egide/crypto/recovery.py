"""Recovery kit: the master key split into SLIP-39 shares (k of n) to print and hand out.

SLIP-39 (Trezor's `shamir-mnemonic`, the reference implementation) gives words instead of hex,
a checksum per share that catches typos (RS1024: any 3 wrong words), and a digest that catches
shares from different kits. One group, `threshold` of `shares`, no extra passphrase: the kit alone
rebuilds the key, and any backup plus the kit restores everything (DESIGN "Data and storage").
Root-key rotation never changes the master key, so the printed kit stays valid.
"""

from __future__ import annotations

from collections.abc import Iterable

import shamir_mnemonic

from egide.crypto.envelope import KEY_BYTES
from egide.crypto.errors import RecoveryError
from egide.crypto.hierarchy import MasterKey

MIN_THRESHOLD = 2  # one share alone would be a plain copy of the master key
MAX_SHARES = 16  # SLIP-39's limit per group
# SLIP-39 wraps the secret with a 4-round PBKDF2 Feistel; exponent 1 = 20 000 iterations, the
# library's default. The shares are the secret, the iterations only protect an optional passphrase.
_ITERATION_EXPONENT = 1


def split_master_key(master: MasterKey, threshold: int = 2, shares: int = 3) -> list[str]:
    """`shares` mnemonics (33 words each for a 256-bit key), any `threshold` of which rebuild it."""
    if not MIN_THRESHOLD <= threshold <= shares <= MAX_SHARES:
        raise ValueError(
            f"Seuil et nombre de parts invalides : il faut {MIN_THRESHOLD} ≤ seuil ≤ parts ≤ {MAX_SHARES}."
        )
    groups = shamir_mnemonic.generate_mnemonics(
        group_threshold=1,
        groups=[(threshold, shares)],
        master_secret=master.key,
        passphrase=b"",
        iteration_exponent=_ITERATION_EXPONENT,
    )
    return [str(mnemonic) for mnemonic in groups[0]]


def _clean(share: str) -> str:
    # People retype shares from paper: tolerate case, line breaks and extra spaces.
    return " ".join(share.lower().split())


def combine_shares(shares: Iterable[str]) -> MasterKey:
    """Rebuild the master key from typed shares; raise `RecoveryError` with what to fix.

    The library's own messages quote the first words of a share, so they are never passed on.
    """
    cleaned = [_clean(share) for share in shares]
    cleaned = [share for share in cleaned if share]
    if not cleaned:
        raise RecoveryError("Aucune part saisie : saisissez les parts du kit de secours.")
    for position, share in enumerate(cleaned, start=1):
        try:
            shamir_mnemonic.Share.from_mnemonic(share)
        except (shamir_mnemonic.MnemonicError, ValueError):
            raise RecoveryError(
                f"La part n°{position} est invalide (mot inconnu, mot manquant ou faute de frappe) : "
                "relisez-la mot à mot sur le kit imprimé."
            ) from None
    try:
        groups = shamir_mnemonic.decode_mnemonics(cleaned)
    except (shamir_mnemonic.MnemonicError, ValueError):
        raise RecoveryError(_MISMATCHED) from None
    if len(groups) != 1:
        raise RecoveryError(_MISMATCHED)
    group = next(iter(groups.values()))
    needed = group.member_threshold()
    if len(group) < needed:
        raise RecoveryError(
            f"Parts insuffisantes : il en faut {needed} différentes, vous en avez saisi {len(group)}."
        )
    try:
        # Extra shares beyond the threshold are fine: keep exactly as many as needed.
        encrypted = shamir_mnemonic.recover_ems(
            {group_index: group.get_minimal_group() for group_index in groups}
        )
        secret = encrypted.decrypt(b"")
    except (shamir_mnemonic.MnemonicError, ValueError):
        raise RecoveryError(_MISMATCHED) from None
    if not isinstance(secret, bytes) or len(secret) != KEY_BYTES:
        raise RecoveryError("Ces parts ne contiennent pas une clé maîtresse Égide.")
    return MasterKey(secret)


_MISMATCHED = (
    "Ces parts ne vont pas ensemble : elles proviennent de kits de secours différents. "
    "Les parts d'un même kit commencent par les mêmes trois mots : écartez celle qui diffère."
)
