"""Creating a practice: its SIREN is checked, with French messages, and nothing half-made stays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import practice_create, user_create
from egide.accounts.validators import luhn_is_valid
from egide.core.errors import Invalid
from egide.core.tests.personas import PERSONA_PASSWORD


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siren", "message"),
    [
        ("12345678", "exactement 9 chiffres"),
        ("73282932A", "exactement 9 chiffres"),
        ("732829321", "clé de contrôle"),
    ],
)
def test_it_refuses_a_wrong_siren_in_french(siren: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        practice_create(name="Cabinet", siren=siren)
    assert any(message in text for text in caught.value.fields["siren"])
    assert not Practice.objects.exists()


@pytest.mark.django_db
def test_it_accepts_a_siren_typed_with_spaces() -> None:
    assert practice_create(name="Cabinet", siren="732 829 320").siren == "732829320"


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_exactly_one_check_digit_completes_any_siren(prefix: str) -> None:
    assert sum(luhn_is_valid(prefix + digit) for digit in "0123456789") == 1


@pytest.mark.django_db
def test_an_account_needs_at_least_one_role(practice: Practice) -> None:
    with pytest.raises(Invalid) as caught:
        user_create(practice=practice, username="x", password="pw-pw-pw-pw-pw", roles=[])
    assert caught.value.fields == {"roles": ["Choisissez au moins un rôle."]}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_person_may_hold_several_roles(practice: Practice) -> None:
    user = user_create(
        practice=practice, username="dr.dpo", password=PERSONA_PASSWORD, roles=[Role.PRATICIEN, Role.DPO]
    )
    assert user.role_set() == {Role.PRATICIEN, Role.DPO}
