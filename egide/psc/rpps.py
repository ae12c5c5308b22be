"""The RPPS number (répertoire partagé des professionnels de santé) and PSC's national id.

Pro Santé Connect returns the national id ``idNat_PS`` in ``SubjectNameID``: "8" followed by the
11-digit RPPS number (regulatory-facts §6.4, example ``899700218896`` [S40][S41]). The RPPS check
digit is UNCONFIRMED in regulatory-facts §6.4: the ANS documents are said to use the Luhn algorithm
(ISO/IEC 7812), and the published example ``99700218896`` satisfies it, but no primary source was
retrieved. So, as regulatory-facts asks for UNCONFIRMED rules, a failed Luhn check is a warning
shown to the administrator, never a refusal; only the 11-digit format is enforced.
"""

from __future__ import annotations

from stdnum import luhn

RPPS_LENGTH = 11
# idNat_PS of a professional registered in the RPPS: this prefix, then the RPPS number.
RPPS_NATIONAL_ID_PREFIX = "8"


def rpps_normalise(typed: str) -> str:
    """Digits only (spaces and dots as people copy them from a card or the Annuaire Santé)."""
    return "".join(char for char in typed if char not in " .-\u00a0")


def rpps_is_well_formed(rpps: str) -> bool:
    return len(rpps) == RPPS_LENGTH and rpps.isascii() and rpps.isdigit()


def rpps_check_digit_ok(rpps: str) -> bool:
    """Luhn check (UNCONFIRMED rule, see the module docstring): a warning when False."""
    return rpps_is_well_formed(rpps) and bool(luhn.is_valid(rpps))


def rpps_from_national_id(subject_name_id: str) -> str | None:
    """The RPPS number in a ``SubjectNameID`` ("8" + RPPS); None for any other identifier (ADELI…)."""
    value = subject_name_id.strip()
    if len(value) == RPPS_LENGTH + 1 and value.startswith(RPPS_NATIONAL_ID_PREFIX):
        rpps = value[1:]
        return rpps if rpps_is_well_formed(rpps) else None
    return None
