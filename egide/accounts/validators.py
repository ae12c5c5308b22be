"""Identifiers of the practice itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def validate_siren(value: str) -> None:
    """SIREN: 9 digits whose last one is a Luhn check digit (INSEE).

    The CNIL breach téléservice identifies the organisation by its SIREN
    (regulatory-facts §3), so a typo must be caught when the practice is created.
    """
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("The SIREN number has exactly 9 digits."), code="siren_format")
    if not luhn_is_valid(value):
        raise ValidationError(
            _("This SIREN number is invalid: check the digits (control key)."), code="siren_key"
        )
