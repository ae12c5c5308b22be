"""Password policy of CNIL délibération n° 2022-100 (21 July 2022), regulatory-facts §4.

Case 1 (password alone) asks for 80 bits of entropy, case 2 (password + restriction of
access: delays, lockout) for 50 bits. Entropy is counted as the CNIL calculator does,
E = L × log2(N), with N the size of the alphabet the characters are drawn from; the
délibération's own examples are accepted as written even where the formula rounds them
just under the threshold (12 characters of four types gives 79.6 bits).
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from egide.accounts.models import User

# The délibération counts special characters "from a list of at least 37".
SPECIAL_ALPHABET_SIZE = 37
PASSPHRASE_SEPARATORS = re.compile(r"[\s\-_.,;:/+]+")


@dataclass(frozen=True)
class Policy:
    code: str
    minimum_bits: int


# Délibération 2022-100: case 1 = 80 bits; case 2 = 50 bits, only with access restriction.
CASE_1 = Policy("cnil-cas-1", 80)
# Case 2 is only acceptable together with access restriction (delays, lockout).
CASE_2 = Policy("cnil-cas-2", 50)
POLICIES = {policy.code: policy for policy in (CASE_1, CASE_2)}


def character_types(password: str) -> set[str]:
    types = set()
    for char in password:
        if char in string.ascii_lowercase:
            types.add("lower")
        elif char in string.ascii_uppercase:
            types.add("upper")
        elif char in string.digits:
            types.add("digit")
        else:
            types.add("special")
    return types


def entropy_bits(password: str) -> float:
    """E = L × log2(N), the CNIL calculator's formula (assumes random characters)."""
    sizes = {"lower": 26, "upper": 26, "digit": 10, "special": SPECIAL_ALPHABET_SIZE}
    alphabet = sum(sizes[kind] for kind in character_types(password))
    return len(password) * math.log2(alphabet) if alphabet > 1 else 0.0


# A sentence of words is not random characters: the délibération's case-1 example (7 words
# for 80 bits) values a word at 80/7 ≈ 11.4 bits, as if drawn from a list of ~2,700 words.
BITS_PER_WORD = CASE_1.minimum_bits / 7


# Words shorter than this, or repeated, add next to nothing to a sentence ("a b c d e f g").
PASSPHRASE_MIN_WORD_LENGTH = 3


def passphrase_words(password: str) -> list[str]:
    """The words of a passphrase ("cheval agrafe lune…"); empty when it is not made of words only."""
    words = [word for word in PASSPHRASE_SEPARATORS.split(password.strip()) if word]
    return words if len(words) >= 2 and all(word.isalpha() for word in words) else []


def estimated_bits(password: str) -> float:
    words = passphrase_words(password)
    if not words:
        return entropy_bits(password)
    counted = {word.casefold() for word in words if len(word) >= PASSPHRASE_MIN_WORD_LENGTH}
    return len(counted) * BITS_PER_WORD


def meets_policy(password: str, policy: Policy) -> bool:
    if estimated_bits(password) >= policy.minimum_bits - 0.5:
        # Rounded like the délibération: 12 characters of four types (79.6 bits) is its own
        # case-1 example.
        return True
    # Case-2 example: 8 characters mixing 3 of the 4 types (47.6 bits by the formula).
    return policy is CASE_2 and len(password) >= 8 and len(character_types(password)) >= 3


class CnilPasswordValidator:
    """Django password validator applying the practice's CNIL case (EGIDE_PASSWORD_POLICY)."""

    def __init__(self, policy: str = CASE_1.code) -> None:
        if policy not in POLICIES:
            raise ImproperlyConfigured(f"EGIDE_PASSWORD_POLICY doit valoir {' ou '.join(POLICIES)}.")
        self.policy = POLICIES[policy]

    def validate(self, password: str, user: User | None = None) -> None:
        if not meets_policy(password, self.policy):
            raise ValidationError(
                _("This password is too easy to guess (about %(bits)d bits, %(minimum)d needed). %(rule)s"),
                code="password_too_weak",
                params={
                    "bits": int(estimated_bits(password)),
                    "minimum": self.policy.minimum_bits,
                    "rule": self.get_help_text(),
                },
            )

    def get_help_text(self) -> str:
        if self.policy is CASE_1:
            return _(
                "Use at least 12 characters mixing upper case, lower case, digits and special "
                "characters, or at least 14 characters mixing upper case, lower case and digits, "
                "or a sentence of at least 7 words."
            )
        return _(
            "Use at least 8 characters mixing three kinds among upper case, lower case, digits and specials."
        )


LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
FRENCH_COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords-fr.txt"
MINIMUM_BASE_LENGTH = 4


def base_word(password: str) -> str:
    """The guessable core of a password: "Motdepasse2024!" → "motdepasse", "P@ssw0rd" → "password"."""
    core = password.lower().strip()
    core = re.sub(r"^[^a-z0-9@$€]+|[^a-z@$€]+$", "", core)  # decorations before and after
    return core.translate(LEET)


class CommonPasswordVariantValidator:
    """Refuses common and breached passwords, including their decorated variants.

    Django's offline list of 20,000 common passwords plus a French supplement; a length
    rule alone accepts "Motdepasse2024!", which every cracking dictionary tries early.
    """

    def __init__(self) -> None:
        french = FRENCH_COMMON_PASSWORDS.read_text(encoding="utf-8").split()
        self.passwords = frozenset(CommonPasswordValidator().passwords) | frozenset(french)

    def validate(self, password: str, user: User | None = None) -> None:
        base = base_word(password)
        if password.lower().strip() in self.passwords or (
            len(base) >= MINIMUM_BASE_LENGTH and base in self.passwords
        ):
            raise ValidationError(
                _("This password, or the word it is built on, is among the most common passwords."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Avoid common passwords and their variants (added digits, symbols or look-alike letters).")
