"""The one domain error hierarchy (STYLE.md "Views and API").

Services and selectors raise these; ``egide.web.middleware`` maps them to HTTP
in one place. Each error has a stable code for the API and a French message a
person can act on.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class EgideError(Exception):
    code = "erreur"
    http_status = 400
    default_message: str | Promise = _("The request could not be completed.")

    def __init__(self, message: str | Promise | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))

    def describe(self) -> str:
        """The message and every field's messages, on one line (CLI output)."""
        details = [f"{field} : {message}" for field, messages in self.fields.items() for message in messages]
        return " ".join([str(self.message), *details])


class Invalid(EgideError):
    code = "invalide"
    http_status = 400
    default_message = _("Some information is missing or incorrect. Nothing was changed.")


class NotFound(EgideError):
    """Missing and forbidden look the same, so ids cannot be probed (DESIGN.md "Access control")."""

    code = "introuvable"
    http_status = 404
    default_message = _("This page or record does not exist, or you do not have access to it.")


class Forbidden(EgideError):
    code = "interdit"
    http_status = 403
    default_message = _("You do not have the rights needed for this action.")


class Conflict(EgideError):
    code = "conflit"
    http_status = 409
    default_message = _("This action conflicts with a change made meanwhile. Reload and try again.")


class RateLimited(EgideError):
    code = "trop_de_tentatives"
    http_status = 429
    default_message = _("Too many attempts. Wait a few minutes before trying again.")


class Sealed(EgideError):
    """The master key is sealed: patient data cannot be read or written until it is unsealed."""

    code = "verrouille"
    http_status = 503
    default_message = _(
        "Patient records are locked: the encryption key has not been unlocked since Égide "
        "started. Ask your administrator to unlock it with its passphrase, then try again."
    )
