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
    # accounts: sessions and account lifecycle (egide.staff)
    SESSION_ENDED = "accounts:session:ended", _("Session ended")
    SESSION_EXPIRED = "accounts:session:expired", _("Session expired")
    INVITATION_CREATED = "accounts:invitation:created", _("Invitation created")
    INVITATION_ACCEPTED = "accounts:invitation:accepted", _("Invitation accepted")
    ACCOUNT_REACTIVATED = "accounts:account:reactivated", _("Account reactivated")
    ACCOUNT_DORMANT = "accounts:account:dormant", _("Account flagged dormant")

    # access: break-the-glass and the patient's access trail (egide.access)
    BREAK_GLASS_OPENED = "access:break-glass:opened", _("Break-the-glass access opened")
    BREAK_GLASS_CONSULTED = "access:break-glass:consulted", _("Break-the-glass reason read")
    BREAK_GLASS_REVIEWED = "access:break-glass:reviewed", _("Break-the-glass access reviewed")
    TRAIL_VIEWED = "access:trail:viewed", _("Access history viewed")
    TRAIL_PRINTED = "access:trail:printed", _("Access history printed")
    CARE_TEAM_JOINED = "access:care-team:joined", _("Practitioner added to the care team")

    # accounts: second factor (egide.mfa): TOTP, passkeys, the practice's approved means
    TOTP_ENROLLED = "accounts:second-factor:totp-enrolled", _("Authenticator application activated")
    TOTP_REPLACED = "accounts:second-factor:totp-replaced", _("Authenticator application replaced")
    PASSKEY_REGISTERED = "accounts:second-factor:passkey-registered", _("Passkey registered")
    PASSKEY_RENAMED = "accounts:second-factor:passkey-renamed", _("Passkey renamed")
    PASSKEY_REMOVED = "accounts:second-factor:passkey-removed", _("Passkey removed")
    PASSKEY_REFUSED = "accounts:second-factor:passkey-refused", _("Passkey refused (possible copy)")
    MEANS_APPROVED = "accounts:second-factor:means-approved", _("Second-factor means approved")
    MEANS_WITHDRAWN = "accounts:second-factor:means-withdrawn", _("Second-factor means withdrawn")

    # backups: restores and restore drills (egide.backups.restore, egide.backups.drill)
    RESTORE_RUN = "backups:restore:run", _("Backup restored")
    RESTORE_CHECKED = "backups:restore:checked", _("Backup checked without restoring")
    DRILL_RUN = "backups:drill:run", _("Restore drill run")

    # accounts: Pro Santé Connect (egide.psc)
    PSC_LOGIN_SUCCEEDED = "accounts:psc:login-succeeded", _("Login with Pro Santé Connect")
    PSC_REAUTH_SUCCEEDED = "accounts:psc:reauth-succeeded", _("Re-authentication with Pro Santé Connect")
    PSC_LOGIN_FAILED = "accounts:psc:login-failed", _("Pro Santé Connect login refused")
    PSC_CONFIGURED = "accounts:psc:configured", _("Pro Santé Connect settings changed")
    PSC_RPPS_REGISTERED = "accounts:psc:rpps-registered", _("RPPS number registered on an account")
    PSC_RPPS_REMOVED = "accounts:psc:rpps-removed", _("RPPS number removed from an account")

    # backups: destinations, backups, checks and retention (egide.backups.services)
    BACKUP_DESTINATION_ADDED = "backups:destination:added", _("Backup destination added")
    BACKUP_DESTINATION_CHANGED = "backups:destination:changed", _("Backup destination changed")
    BACKUP_DESTINATION_REMOVED = "backups:destination:removed", _("Backup destination removed")
    BACKUP_RUN = "backups:backup:run", _("Backup run")
    BACKUP_SKIPPED = "backups:backup:skipped", _("Backup skipped (destination not connected)")
    BACKUP_CHECKED = "backups:repository:checked", _("Backup repository checked")
    BACKUP_FORGOTTEN = "backups:snapshots:forgotten", _("Old backups removed (retention)")
    BACKUP_UNLOCKED = "backups:repository:unlocked", _("Backup repository unlocked")

    # backups: the old master key's repository keys retired (egide.backups.key_retirement)
    BACKUP_KEY_RETIRED = (
        "backups:repository:key-retired",
        _("Old recovery kit's key removed from a backup repository"),
    )


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")
