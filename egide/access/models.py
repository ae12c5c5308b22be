"""Break-the-glass grants: a practitioner outside a patient's care team opening the record.

The reason and the DPO's comment are free text that may hold patient data: they are envelopes
under the patient's data key, bound to their row (`patients.BreakGlassGrant|<field>|<id>`), like
every personal field of the vault; crypto-shredding the patient shreds them too. In clear: opaque
ids, times, the verdict code.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egide.accounts.models import Practice
from egide.patients.models import Patient

# Bound into the envelopes of a grant's reason and review comment (with the grant id and field):
# sealing and opening must use this one name.
GRANT_MODEL = "BreakGlassGrant"


class Verdict(models.TextChoices):
    PENDING = "", _("To review")
    JUSTIFIED = "justified", _("Justified")
    UNJUSTIFIED = "unjustified", _("Not justified")


class BreakGlassGrant(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    # PROTECT: a grant is evidence, like the journal; patients and accounts are never deleted.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass_grants")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()  # envelope
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The journal event recording the opening (the trail links the two).
    opened_event_id = models.BigIntegerField(null=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.PENDING, blank=True)
    review_comment = models.TextField(blank=True)  # envelope, or empty
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["patient", "practitioner", "expires_at"], name="break_glass_active"),
            models.Index(fields=["practice", "verdict"], name="break_glass_review"),
        ]

    def __str__(self) -> str:
        return str(self.id)
