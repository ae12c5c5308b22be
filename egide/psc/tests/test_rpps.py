"""The RPPS number: format, (UNCONFIRMED) Luhn check, and PSC's national id (regulatory-facts §6.4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from egide.psc.rpps import (
    rpps_check_digit_ok,
    rpps_from_national_id,
    rpps_is_well_formed,
    rpps_normalise,
)


def test_it_accepts_the_published_example() -> None:
    # idNat_PS 899700218896 (regulatory-facts §6.4 [S40][S41]): "8" + RPPS 99700218896.
    assert rpps_from_national_id("899700218896") == "99700218896"
    assert rpps_check_digit_ok("99700218896")


@pytest.mark.parametrize("typed", ["1000000000", "100000000099", "1000000000A", "", "\uff11" * 11])
def test_it_refuses_anything_but_eleven_digits(typed: str) -> None:
    assert not rpps_is_well_formed(rpps_normalise(typed))


def test_it_warns_on_a_wrong_check_digit_without_refusing() -> None:
    assert rpps_is_well_formed("10000000008")
    assert not rpps_check_digit_ok("10000000008")


@pytest.mark.parametrize("national_id", ["010000000009", "10000000009", "8100000000", "8abcdefghijk", ""])
def test_it_takes_no_rpps_from_other_national_ids(national_id: str) -> None:
    # ADELI ids and anything not "8" + 11 digits are not RPPS numbers.
    assert rpps_from_national_id(national_id) is None


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_it_reads_back_any_rpps_from_its_national_id(body: str) -> None:
    rpps = body + luhn.calc_check_digit(body)
    assert rpps_check_digit_ok(rpps)
    assert rpps_from_national_id("8" + rpps) == rpps
    assert rpps_normalise(f"{rpps[:3]} {rpps[3:7]}.{rpps[7:]}") == rpps
