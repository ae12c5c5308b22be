"""What the journal records: action names ``part:subject:verb`` and outcomes.

Later parts add their actions here; a name never changes once events carry it
(it is inside their Merkle leaves).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # accounts
    LOGIN_SUCCEEDED = "accounts:session:login-succeeded", _("Login")
    LOGIN_FAILED = "accounts:session:login-failed", _("Failed login")
    LOGOUT = "accounts:session:logout", _("Logout")
    ACCOUNT_CREATED = "accounts:account:created", _("Account created")
    ACCOUNT_CHANGED = "accounts:account:changed", _("Account changed")
    ACCOUNT_DEACTIVATED = "accounts:account:deactivated", _("Account deactivated")
    ROLE_GRANTED = "accounts:role:granted", _("Role granted")
    ROLE_REVOKED = "accounts:role:revoked", _("Role revoked")
    PRACTICE_CHANGED = "accounts:configuration:changed", _("Configuration changed")
    TOKEN_CREATED = "accounts:token:created", _("API token created")
    TOKEN_REVOKED = "accounts:token:revoked", _("API token revoked")
    # audit
    JOURNAL_VERIFIED = "audit:journal:verified", _("Journal verified")
    JOURNAL_PRUNED = "audit:journal:pruned", _("Journal pruned")
    JOURNAL_EXPORTED = "audit:journal:exported", _("Journal exported")
    HEAD_SIGNED = "audit:head:signed", _("Tree head signed")
    # patients (the vault, issue 4; names as in the example)
    PATIENT_CREATED = "patient:record:created", _("Patient record created")
    PATIENT_UPDATED = "patient:record:updated", _("Patient record updated")
    PATIENT_VIEWED = "patient:record:viewed", _("Patient record viewed")
    PATIENT_SHREDDED = "patient:record:shredded", _("Patient record shredded")
    PATIENTS_SEARCHED = "patient:records:searched", _("Patients searched")
    PATIENT_LISTED = "patient:record:listed", _("Patient shown in search results")
    NOTE_ADDED = "patient:note:added", _("Note added")
    NOTES_VIEWED = "patient:notes:viewed", _("Notes viewed")
    PATIENT_IMPORTED = "patient:record:imported", _("Patient record imported")
    PATIENT_EXPORTED = "patient:record:exported", _("Patient record exported")
    DOCUMENT_ADDED = "patient:document:added", _("Document added")
    DOCUMENT_DOWNLOADED = "patient:document:downloaded", _("Document downloaded")
    # crypto
    ROOT_KEY_ROTATED = "crypto:root-key:rotated", _("Root key rotated")
    MASTER_KEY_ROTATED = "crypto:master-key:rotated", _("Master key rotated")
    RECOVERY_KIT_GENERATED = "crypto:recovery-kit:generated", _("Recovery kit generated")
    MASTER_KEY_RECOVERED = "crypto:master-key:recovered", _("Master key recovered")
    KEYRING_UNSEALED = "crypto:keyring:unsealed", _("Keyring unsealed")
    DATA_KEY_DESTROYED = "crypto:data-key:destroyed", _("Data key destroyed")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")
