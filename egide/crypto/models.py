"""Wrapped per-patient data keys: the only key material in the database, and never in clear."""

from __future__ import annotations

from django.db import models


class WrappedKey(models.Model):
    """One patient's data key, wrapped under a root-key version (envelope `v1$root-<n>$…`).

    `aad_context` is the associated data the key was wrapped with ("patients.Patient|<uuid>"):
    not secret, and needed again to re-wrap it during a rotation. `root_version` repeats the
    envelope's key id so a rotation finds what is left to do with an indexed query.
    """

    data_key_id = models.CharField(primary_key=True, max_length=40)
    wrapped = models.TextField()
    root_version = models.PositiveIntegerField(db_index=True)
    aad_context = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.data_key_id} (racine n°{self.root_version})"
