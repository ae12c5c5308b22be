"""CNIL délibération 2022-100 password policy, explained in French when a password is refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import Practice, Role, User
from egide.accounts.passwords import CASE_1, CASE_2, CnilPasswordValidator, base_word, meets_policy
from egide.accounts.services import user_create
from egide.core.errors import Invalid

CASE_1_EXAMPLES = [
    "kP3v9Qz_rT7w",  # 12 characters, four types
    "Kp3v9QzrT7wXmN",  # 14 characters, upper + lower + digits
    "cheval agrafe lune vert sept nuage pomme",  # 7-word passphrase
]


@pytest.mark.parametrize("password", CASE_1_EXAMPLES)
def test_it_accepts_the_deliberations_case_1_examples(password: str) -> None:
    assert meets_policy(password, CASE_1)


@pytest.mark.parametrize("password", ["kP3v9Qz_rT7", "Kp3v9QzrT7wXm", "cheval agrafe lune vert sept nuage"])
def test_it_refuses_one_step_short_of_each_case_1_example(password: str) -> None:
    assert not meets_policy(password, CASE_1)


def test_case_2_accepts_8_characters_of_three_types() -> None:
    assert meets_policy("Kp3v9Qzr", CASE_2)
    assert not meets_policy("kp3v9qzr", CASE_2)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=16))
def test_sixteen_lowercase_letters_are_never_enough_for_case_1(password: str) -> None:
    # 16 × log2(26) = 75.2 bits < 80.
    assert not meets_policy(password, CASE_1)


@pytest.mark.parametrize(
    ("password", "base"),
    [("Motdepasse2024!", "motdepasse"), ("P@ssw0rd", "password"), ("!!Azerty123", "azerty")],
)
def test_it_sees_the_common_word_under_decorations(password: str, base: str) -> None:
    assert base_word(password) == base


@pytest.mark.parametrize("password", ["Motdepasse2024!", "Azertyuiop123456", "Soleil123!!"])
def test_it_refuses_common_passwords_and_their_variants_in_french(password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        password_validation.validate_password(password)
    assert "fait partie des mots de passe les plus courants" in " ".join(caught.value.messages)


def test_the_refusal_explains_the_rule_in_french() -> None:
    with pytest.raises(ValidationError) as caught:
        CnilPasswordValidator().validate("bonjourlemonde")
    message = " ".join(caught.value.messages)
    assert "trop facile à deviner" in message
    assert "80 nécessaires" in message
    assert "au moins 12 caractères" in message


def test_the_practice_may_choose_case_2(settings: SettingsWrapper) -> None:
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "egide.accounts.passwords.CnilPasswordValidator", "OPTIONS": {"policy": "cnil-cas-2"}}
    ]
    password_validation.validate_password("Kp3v9Qzr")


@pytest.mark.django_db
def test_an_account_with_a_weak_password_is_not_created(practice: Practice) -> None:
    with pytest.raises(Invalid) as caught:
        user_create(practice=practice, username="dr.faible", password="Soleil2024", roles=[Role.PRATICIEN])
    assert "password" in caught.value.fields
    assert not User.objects.filter(username="dr.faible").exists()


@pytest.mark.parametrize(
    "password", ["a b c d e f g", "le le le le le le le", "lune lune lune lune lune lune lune"]
)
def test_short_or_repeated_words_do_not_make_a_passphrase(password: str) -> None:
    assert not meets_policy(password, CASE_1)
