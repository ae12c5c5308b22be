"""Backup destinations and what happened on them (runs, checks, restore drills).

No secret here: a destination's restic password is derived from the master key when needed
(``passwords.py``), and its backend credentials (S3 keys, REST server account) are read from a
file outside the data directory (``credentials.py``), never from the database, which is itself
inside every backup.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from egide.backups.errors import FAULT_KINDS, BackupFault


class DestinationKind(models.TextChoices):
    LOCAL = "local", _("Local disk or network share")
    REST = "rest", _("restic REST server")
    SFTP = "sftp", _("SFTP server")
    S3 = "s3", _("S3-compatible object storage")


class Outcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    # An offline destination that was not plugged in: nothing attempted, nothing wrong.
    SKIPPED = "skipped", _("Skipped (not connected)")


FAULT_KIND_CHOICES = [(kind, kind) for kind in FAULT_KINDS]


class Destination(models.Model):
    name = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=8, choices=DestinationKind.choices)
    # As restic takes it: /mnt/usb/egide, rest:https://host:8000/egide/, sftp:user@host:/srv/egide,
    # s3:https://s3.example/bucket/egide.
    location = models.CharField(max_length=500)
    # The server refuses deletions (rest-server/rclone --append-only): forget/prune are never
    # attempted from here; they run from a separate trusted machine (README).
    append_only = models.BooleanField(default=False)
    # A removable disk taken away after the backup: backed up when present, a warning when it has
    # not been seen for offline_warn_days.
    offline = models.BooleanField(default=False)
    offline_warn_days = models.PositiveSmallIntegerField(default=7)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def restic_location(self) -> str:
        """The repository location, with the REST server account inserted when one is configured."""
        from egide.backups.credentials import location_with_credentials

        return location_with_credentials(self.kind, self.location, self.name)

    def restic_env(self) -> dict[str, str]:
        """Backend variables for restic (S3 keys...), read from the credentials file."""
        from egide.backups.credentials import backend_environment

        return backend_environment(self.kind, self.name)


class Attempt(models.Model):
    """What a backup and a check have in common: when, how it ended, and why not."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    fault_kind = models.CharField(max_length=16, choices=FAULT_KIND_CHOICES, blank=True)
    message = models.TextField(blank=True)
    # restic's own last lines, for the operator's logs (no password, no personal data).
    detail = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.destination_id}:{self.started_at:%Y-%m-%d %H:%M}:{self.outcome}"  # type: ignore[attr-defined]

    def fail(self, fault: BackupFault) -> None:
        """Record ``fault`` as how this attempt ended (the caller saves)."""
        self.outcome = Outcome.FAILURE
        self.fault_kind = fault.kind
        self.message = str(fault.message)
        self.detail = fault.detail


class BackupRun(Attempt):
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="backup_runs")
    # Set only when restic exited 0 *and* the check after it passed: a good backup.
    snapshot_id = models.CharField(max_length=64, blank=True)
    snapshot_time = models.DateTimeField(null=True, blank=True)
    bytes_added = models.BigIntegerField(default=0)
    # Snapshots in the repository right after this one was added.
    snapshot_count = models.PositiveIntegerField(default=0)

    @property
    def good(self) -> bool:
        return self.outcome == Outcome.SUCCESS and bool(self.snapshot_id)


class CheckRun(Attempt):
    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="check_runs")
    # "3/7": the part of the data read back; empty for a structural check only.
    read_data_subset = models.CharField(max_length=16, blank=True)
    # restic stats (raw data, after deduplication and compression), read with each daily check.
    size_bytes = models.BigIntegerField(null=True, blank=True)


class DrillRun(models.Model):
    """A restore drill: the latest snapshot restored, opened and verified (filled by drill.py)."""

    destination = models.ForeignKey(
        Destination, on_delete=models.SET_NULL, null=True, blank=True, related_name="drill_runs"
    )
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    # Seconds from the start to a usable instance (the measured recovery time objective).
    rto_seconds = models.FloatField(null=True, blank=True)
    snapshot_id = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"drill:{self.started_at:%Y-%m-%d %H:%M}:{self.outcome}"


class RetiringKey(models.Model):
    """A repository key derived from a master key that has since been replaced.

    `egide keys rotate-master` gives each repository the new key's password beside the old one
    (``master_key.repositories_follow``), so a backup is never left with no known password. The old
    one keeps opening the repository, for whoever holds the old recovery kit, until
    `egide backup key-retire` removes it, once the new kit is printed. Key ids are not secret.
    """

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="retiring_keys")
    key_id = models.CharField(max_length=64)
    # The fingerprint of the master key this repository key was derived from (the old kit's).
    master_fingerprint = models.CharField(max_length=64)
    added_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at"]
        constraints = [
            models.UniqueConstraint(fields=["destination", "key_id"], name="backups_retiring_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.destination.name}:{self.key_id}"
