from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from egide.core.errors import EgideError


class RecordUnreadable(EgideError):
    """A stored ciphertext does not open under its key and place: it was altered outside Égide."""

    code = "dossier_illisible"
    http_status = 500
    default_message = _(
        "This record cannot be read: its encrypted data was altered outside Égide. Nothing wrong "
        "is shown. Tell your administrator: the record must be restored from a backup."
    )
