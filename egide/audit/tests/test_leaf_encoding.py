from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from egide.audit.canonical import event_leaf_bytes
from egide.audit.leaves import EVENT_FIELDS, leaf_bytes

texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
values = st.one_of(st.none(), st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1), texts)


@given(st.fixed_dictionaries({name: values for name in EVENT_FIELDS}))
def test_it_writes_the_same_bytes_as_the_rfc_8785_reference(fields: dict[str, str | int | None]) -> None:
    assert leaf_bytes({"v": 1, **fields}) == event_leaf_bytes({"v": 1, **fields})
