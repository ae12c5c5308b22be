"""NIR/NIA/INS validation: published test vectors, property tests, French messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egide.patients.identifiers import (
    IdentifierError,
    IdentityStatus,
    InsOid,
    cog_validate,
    ins_exportable,
    ins_validate,
    nir_validate,
)

pytestmark = pytest.mark.usefixtures("settings")  # French messages come from the catalogue


VALID = ["295109912611193", "253072B07300470", "253072A07300443", "2 95 10 99 126 111 93"]


@pytest.mark.parametrize("nir", VALID)
def test_it_accepts_the_published_valid_numbers(nir: str) -> None:
    assert nir_validate(nir).value == nir.replace(" ", "")


def test_it_names_the_expected_key() -> None:
    with pytest.raises(IdentifierError, match=r"^Clé NIR invalide : 93 attendu"):
        nir_validate("295109912611199")


@pytest.mark.parametrize(
    ("nir", "message"),
    [
        ("253072C07300443", "2A ou 2B"),
        ("29510991261119", "14 ont été saisis"),
        ("2951099126111934", "16 ont été saisis"),
    ],
)
def test_it_explains_a_malformed_number_in_french(nir: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        nir_validate(nir)


def test_it_warns_but_accepts_an_unusual_month_or_sex_digit() -> None:
    body = "8955399126111"  # sex 8, year 95, month 53
    key = f"{97 - int(body) % 97:02d}"
    checked = nir_validate(body + key)
    assert len(checked.warnings) == 2
    assert "mois de naissance 53" in checked.warnings[1].lower()


@given(st.from_regex(r"[12][0-9]{2}(0[1-9]|1[0-2])[0-9]{8}", fullmatch=True))
def test_the_computed_key_always_validates(body: str) -> None:
    key = f"{97 - int(body) % 97:02d}"
    assert nir_validate(body + key).warnings == ()


@given(
    st.from_regex(r"[12][0-9]{12}", fullmatch=True),
    st.integers(min_value=0, max_value=12),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_typo_is_caught(body: str, position: int, shift: int) -> None:
    key = f"{97 - int(body) % 97:02d}"
    typo = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1 :]
    with pytest.raises(IdentifierError):
        nir_validate(typo + key)


def test_ins_needs_a_known_authority_and_a_valid_matricule() -> None:
    assert ins_validate("295109912611193", InsOid.NIR).value == "295109912611193"
    with pytest.raises(IdentifierError, match="OID"):
        ins_validate("295109912611193", "1.2.3")
    with pytest.raises(IdentifierError, match="Clé NIR invalide"):
        ins_validate("295109912611199", InsOid.DEMO)


def test_only_a_qualified_identity_is_exported_as_ins() -> None:
    assert [status for status in IdentityStatus if ins_exportable(status)] == [IdentityStatus.QUAL]


@pytest.mark.parametrize(("code", "ok"), [("75056", True), ("2A004", True), ("99134", True), ("7505", False)])
def test_it_checks_the_birthplace_code(code: str, ok: bool) -> None:
    if ok:
        assert cog_validate(code) == code
    else:
        with pytest.raises(IdentifierError, match="COG"):
            cog_validate(code)
