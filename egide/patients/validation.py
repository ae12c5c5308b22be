"""Checks on a patient identity before anything is written: French messages, per field."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.core.errors import Invalid
from egide.patients.identifiers import (
    IdentifierError,
    IdentityStatus,
    cog_validate,
    ins_validate,
    nir_validate,
)
from egide.patients.vault import SEXES, Identity

OLDEST_BIRTH_DATE = date(1890, 1, 1)


def identity_validate(
    identity: Identity, *, ins_oid: str, identity_status: IdentityStatus
) -> tuple[Identity, list[str]]:
    """Raise Invalid with every field's problem at once; return the identity with its numbers in
    canonical form (so "2 84 03…" and "28403…" index alike) and the warnings to show."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    today = timezone.localdate()

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not identity.birth_name.strip():
        fail("birth_name", _("The birth name is required."))
    if not any(name.strip() for name in identity.birth_first_names):
        fail("birth_first_names", _("At least one birth first name is required."))
    if not OLDEST_BIRTH_DATE <= identity.birth_date <= today:
        fail("birth_date", _("The birth date must be in the past (after 1890)."))
    if identity.sex not in SEXES:
        fail("sex", _("Choose the sex: F, M or I (undetermined)."))
    if identity.death_date and not identity.birth_date <= identity.death_date <= today:
        fail("death_date", _("The date of death must be between the birth date and today."))
    canonical: dict[str, str] = {}
    if identity.nir:
        try:
            checked = nir_validate(identity.nir)
            canonical["nir"] = checked.value
            warnings.extend(checked.warnings)
        except IdentifierError as error:
            fail("nir", str(error))
    if bool(identity.ins_matricule) != bool(ins_oid):
        fail("ins_matricule", _("An INS needs both its matricule and its authority (OID)."))
    elif identity.ins_matricule:
        try:
            canonical["ins_matricule"] = ins_validate(identity.ins_matricule, ins_oid).value
        except IdentifierError as error:
            fail("ins_matricule", str(error))
    if identity_status is IdentityStatus.QUAL and not identity.ins_matricule:
        # RNIV: a qualified identity is one whose INS was retrieved and verified (regulatory-facts §6.3).
        fail("identity_status", _("A qualified identity (QUAL) needs its INS."))
    if identity.birthplace_cog:
        try:
            canonical["birthplace_cog"] = cog_validate(identity.birthplace_cog)
        except IdentifierError as error:
            fail("birthplace_cog", str(error))
    if identity.email:
        try:
            validate_email(identity.email)
        except ValidationError:
            fail("email", _("This e-mail address is not valid."))
    if errors:
        raise Invalid(fields=errors)
    cleaned = replace(
        identity,
        nir=canonical.get("nir", identity.nir),
        ins_matricule=canonical.get("ins_matricule", identity.ins_matricule),
        birthplace_cog=canonical.get("birthplace_cog", identity.birthplace_cog),
    )
    return cleaned, warnings
