"""The vault's tables. Personal fields hold envelopes (`v1$dk-…$…`), never clear values.

In clear, and why (README "What is stored where"): opaque ids, the data key id, timestamps,
the INS authority OID and identity status (status codes), the last visit date (retention,
CSP R.1112-7), the erasure date, and blind indexes (HMAC, see egide/crypto/blind_index.py).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from egide.accounts.models import Practice
from egide.patients.identifiers import IdentityStatus

ENCRYPTED_IDENTITY_FIELDS = (
    "birth_name",
    "used_name",
    "birth_first_names",
    "used_first_name",
    "birth_date",
    "sex",
    "birthplace_cog",
    "nir",
    "ins_matricule",
    "address",
    "phone",
    "email",
    "death_date",
)


class Patient(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="patients")
    data_key_id = models.CharField(max_length=64, unique=True)
    birth_name = models.TextField()
    used_name = models.TextField()
    birth_first_names = models.TextField()
    used_first_name = models.TextField()
    birth_date = models.TextField()
    sex = models.TextField()
    birthplace_cog = models.TextField()
    nir = models.TextField()
    ins_matricule = models.TextField()
    address = models.TextField()
    phone = models.TextField()
    email = models.TextField()
    death_date = models.TextField()
    ins_oid = models.CharField(max_length=32, blank=True)
    identity_status = models.CharField(
        max_length=5, choices=[(s.value, s.value) for s in IdentityStatus], default=IdentityStatus.PROV
    )
    last_visit_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("patient")

    def __str__(self) -> str:
        return str(self.id)  # never a name: __str__ ends up in logs and admin pages


class CareTeamMember(models.Model):
    """The practitioners who follow a patient (read by the access-control policy)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "practitioner"], name="unique_care_team_member")
        ]

    def __str__(self) -> str:
        return f"{self.patient_id}:{self.practitioner_id}"


class PatientIndex(models.Model):
    """One blind index of a patient (HMAC of a normalised value; "<root version>:<hex>")."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="indexes")
    practice_id = models.UUIDField()
    value = models.CharField(max_length=64)
    # The root-key version the index was computed under; a rotation recomputes older ones.
    root_version = models.PositiveIntegerField(db_index=True)

    class Meta:
        # With the id: matches come newest first straight from the index (rows are rewritten at
        # each change of identity), so a search stops at the rows it shows.
        indexes = [models.Index(fields=["practice_id", "value", "id"], name="patient_index_lookup")]

    def __str__(self) -> str:
        return f"{self.patient_id}:{self.value}"


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-created_at"]

    def __str__(self) -> str:
        return str(self.id)


class Document(models.Model):
    """A file attached to a patient. The content is a Tink streaming-AEAD blob under
    ``DATA_DIR/blobs/<blob_name>``; its keyset and the original file name are envelopes under the
    patient's data key. In clear: opaque ids, the uploader, the date, the size and the media type
    (needed to serve the file; it reveals the kind of file, not its content)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=100)
    filename = models.TextField()
    blob_name = models.CharField(max_length=36, unique=True)
    keyset = models.TextField()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return str(self.id)
