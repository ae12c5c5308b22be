"""French patient identifiers: NIR, NIA, INS (regulatory-facts §6).

The key arithmetic comes from python-stdnum; this module adds what a practice needs:
French messages that say what to fix, and warnings instead of refusals where the
rules are not confirmed (birth months outside 01–12, sex digits other than 1/2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from stdnum.fr import nir as stdnum_nir

NIR_LENGTH = 15
# regulatory-facts §6.1: position 6-7 may be 2A/2B (Corsica); the key is computed after
# replacing them by 19/18 (python-stdnum does it).
NIR_SHAPE = re.compile(r"^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$")
COG_SHAPE = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")


class IdentifierError(ValueError):
    """A French message saying what is wrong with an identifier and what to check."""


class InsOid(StrEnum):
    """Assigning authorities of the INS matricule (regulatory-facts §6.3, [S38])."""

    NIR = "1.2.250.1.213.1.4.8"
    NIA = "1.2.250.1.213.1.4.9"
    TEST = "1.2.250.1.213.1.4.10"
    DEMO = "1.2.250.1.213.1.4.11"


class IdentityStatus(StrEnum):
    """RNIV identity status (regulatory-facts §6.3, [S39]); only QUAL may travel as an INS."""

    PROV = "PROV"
    RECUP = "RECUP"
    VALI = "VALI"
    QUAL = "QUAL"


@dataclass(frozen=True)
class CheckedNumber:
    value: str
    warnings: tuple[str, ...] = ()


def compact(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw).upper()


def nir_validate(raw: str) -> CheckedNumber:
    """Validate a NIR or NIA (same structure, regulatory-facts §6.2); raise IdentifierError."""
    number = compact(raw)
    if len(number) != NIR_LENGTH:
        raise IdentifierError(
            _("The NIR has 15 characters (13 digits then a 2-digit key); %(count)d were entered.")
            % {"count": len(number)}
        )
    if not NIR_SHAPE.fullmatch(number):
        raise IdentifierError(_("The NIR contains only digits, and 2A or 2B for a birth in Corsica."))
    expected = stdnum_nir.calc_check_digits(number)
    if number[13:] != expected:
        raise IdentifierError(_("Invalid NIR key: %(expected)s expected.") % {"expected": expected})
    warnings: list[str] = []
    if number[0] not in "12":
        # Other first digits exist (temporary numbers) but are UNCONFIRMED (§6.1): warn.
        warnings.append(_("The first digit (sex) is usually 1 or 2: check it."))
    month = int(number[3:5])
    if not 1 <= month <= 12:
        # Incomplete civil-status records give months such as 20-30 or 50 (§6.1, UNCONFIRMED set).
        message = _("Birth month %(month)02d is outside 01-12: check the civil-status record.")
        warnings.append(message % {"month": month})
    return CheckedNumber(number, tuple(warnings))


def cog_validate(raw: str) -> str:
    """Code officiel géographique of the birthplace (INSEE commune code, 99xxx abroad)."""
    code = compact(raw)
    if not COG_SHAPE.fullmatch(code):
        raise IdentifierError(_("The birthplace code (COG) has 5 characters, for example 75056 or 99134."))
    return code


def ins_validate(matricule: str, oid: str) -> CheckedNumber:
    """INS = matricule (the person's NIR or NIA) + the OID of the assigning authority."""
    if oid not in {member.value for member in InsOid}:
        raise IdentifierError(_("Unknown INS authority (OID): %(oid)s.") % {"oid": oid})
    return nir_validate(matricule)


def ins_exportable(status: IdentityStatus) -> bool:
    """Only a qualified identity may be used or transmitted as an INS (§6.3, [S39])."""
    return status is IdentityStatus.QUAL
