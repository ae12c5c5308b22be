"""Whatever name a browser sends, the stored name has no path, no control character and a bound."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from egide.patients.documents import FILENAME_MAX, filename_clean


@given(st.text(max_size=600))
def test_it_always_gives_a_short_plain_file_name(name: str) -> None:
    cleaned = filename_clean(name)

    assert 0 < len(cleaned) <= FILENAME_MAX
    assert "/" not in cleaned and "\\" not in cleaned
    assert not any(unicodedata.category(character).startswith("C") for character in cleaned)
    assert cleaned not in {".", ".."}


def test_it_keeps_the_extension_of_a_long_name() -> None:
    cleaned = filename_clean("C:\\Mes documents\\" + "é" * 300 + ".pdf")

    assert cleaned == "é" * (FILENAME_MAX - 4) + ".pdf"
