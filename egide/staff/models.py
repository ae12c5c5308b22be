"""Sessions of staff accounts, invitations, and where each account stands in its lifecycle.

Opaque ids and digests only: a session is named by a SHA-256 of its key (the key itself is a
bearer secret), an invitation by a SHA-256 of its link's token.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SessionRecord(models.Model):
    """One logged-in session, for "Mes sessions" and the administrator.

    The source IP is kept because the audit journal keeps it for every event of the session
    anyway (egide/audit/context.py); the user agent only as a coarse label ("Firefox · Windows"),
    while the journal keeps a digest of it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    device_label = models.CharField(max_length=60)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session:{self.id}"


class Invitation(models.Model):
    """A one-time link with which an invited person chooses their password."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation:{self.id}"


class AccountStatus(models.Model):
    """Departure, reactivation and dormancy of an account (the account row itself is never deleted:
    the audit trail keeps naming it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="staff_status"
    )
    departed_at = models.DateTimeField(null=True, blank=True)
    reactivated_at = models.DateTimeField(null=True, blank=True)
    dormant_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"status:{self.user_id}"
