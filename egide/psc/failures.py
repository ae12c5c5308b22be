"""Why a Pro Santé Connect login was refused: a stable code for the journal, a French message."""

from __future__ import annotations

from enum import Enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Failure(Enum):
    """Each member: (code written in the journal's ``subject_type``, message the person reads)."""

    UNREACHABLE = (
        "provider-unreachable",
        _(
            "Pro Santé Connect cannot be reached at the moment. Try again in a few minutes, or log in "
            "with your password and your second factor."
        ),
    )
    MISCONFIGURED = (
        "provider-misconfigured",
        _(
            "Pro Santé Connect’s answer does not match the settings of this practice. Log in with your "
            "password and your second factor, and tell your practice administrator."
        ),
    )
    NOT_CONFIGURED = (
        "not-configured",
        _(
            "Pro Santé Connect is not set up for this practice. Log in with your password and your "
            "second factor."
        ),
    )
    STATE_INVALID = (
        "state-invalid",
        _(
            "This login has expired or was started in another browser. Start again with the "
            "Pro Santé Connect button."
        ),
    )
    STATE_REPLAYED = (
        "state-replayed",
        _(
            "This Pro Santé Connect answer was already used: each one works only once. Start again with "
            "the Pro Santé Connect button."
        ),
    )
    PROVIDER_DENIED = (
        "provider-denied",
        _(
            "The login with Pro Santé Connect was cancelled or refused. Start again, or log in with your "
            "password and your second factor."
        ),
    )
    BAD_SIGNATURE = (
        "bad-signature",
        _(
            "The answer received in the name of Pro Santé Connect carries a signature that does not check "
            "out: it was refused and you are not logged in. Tell your practice administrator."
        ),
    )
    INVALID_ANSWER = (
        "invalid-answer",
        _(
            "Pro Santé Connect’s answer could not be verified: it was refused and you are not logged in. "
            "Start again; if it happens again, tell your practice administrator."
        ),
    )
    WRONG_ACR = (
        "wrong-acr",
        _(
            "Pro Santé Connect did not confirm the level of authentication Égide requires (eIDAS "
            "substantial). Log in again with your CPS card or the e-CPS application."
        ),
    )
    NO_RPPS = (
        "no-rpps",
        _(
            "Pro Santé Connect gave no RPPS number for this login: only professionals registered in the "
            "RPPS can use it here."
        ),
    )
    UNKNOWN_RPPS = (
        "unknown-rpps",
        _(
            "Your RPPS number is not registered on an active account of this practice. Ask your practice "
            "administrator to register it on your account."
        ),
    )
    OTHER_ACCOUNT = (
        "other-account",
        _(
            "This Pro Santé Connect login belongs to another person than the account in use. Confirm "
            "with your own CPS card or e-CPS."
        ),
    )

    @property
    def code(self) -> str:
        return str(self.value[0])

    @property
    def message(self) -> str | Promise:
        message: str | Promise = self.value[1]
        return message


class PscFailure(Exception):
    """A refused Pro Santé Connect login; ``fingerprint`` names an unknown RPPS without revealing it."""

    def __init__(self, failure: Failure, *, fingerprint: str = "") -> None:
        self.failure = failure
        self.fingerprint = fingerprint
        super().__init__(failure.code)
