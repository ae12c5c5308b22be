"""Second-factor data (issue 5 item 2): sealed TOTP secrets, passkeys, the practice's approved means.

django-otp's own TOTPDevice keeps its secret in clear (``key``, hex): a copy of the database would
let anyone compute every account's codes. `SealedTOTPDevice` holds the secret as an AES-256-GCM
envelope under the keyring's field purpose key, bound to its row and account.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """An authenticator application (RFC 6238), its secret sealed (`egide.mfa.totp`)."""

    # django-otp names devices by an integer id (``Device.persistent_id``); the envelope is bound to
    # this random id instead, known before the row is first saved.
    secret_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # ``v1$root-<n>$…``: AES-256-GCM under the FIELD purpose key of root version n.
    secret = models.TextField()
    # The root version the envelope names, so a root-key rotation finds what to re-seal.
    root_version = models.PositiveIntegerField(db_index=True)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last accepted code: only a later step is accepted (no replay).
    last_t = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("authenticator application")

    @property
    def bin_key(self) -> bytes:
        """The secret, opened with the keyring (fails closed: `Sealed`, or a `CryptoError`)."""
        from egide.mfa.totp import totp_secret_open

        return totp_secret_open(self)

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: object) -> bool:
        from egide.mfa.totp import totp_verify

        return totp_verify(self, str(token))


class PasskeyDevice(TimestampMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """A WebAuthn credential (passkey). Only public data: the credential id and public key.

    A django-otp device so that a passkey login marks the session verified like a code does;
    it never accepts a typed token. ``name`` is the label its owner gives it.
    """

    # base64url of the credential id (at most 1023 bytes, WebAuthn §5.8.3).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()  # COSE_Key
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list)
    aaguid = models.CharField(max_length=36, blank=True)
    backed_up = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("passkey")

    def verify_token(self, token: object) -> bool:
        return False


class Means(models.TextChoices):
    """Second-factor means a practice may approve (ANS référentiel d'identification électronique)."""

    TOTP = "totp", _("Authenticator application (TOTP)")
    PASSKEY = "passkey", _("Passkey (FIDO2 / WebAuthn)")
    RECOVERY_CODES = "recovery-codes", _("Recovery codes (backup)")
    PSC = "pro-sante-connect", _("Pro Santé Connect (CPS / e-CPS)")


class MeansDecision(models.Model):
    """One decision of a practice about one means: approved or withdrawn, by whom, when, and the
    reference of its own decision (the homologation the référentiel asks for, regulatory-facts §5.5).

    Append-only: the newest decision per (practice, means) holds; older ones are the history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.ForeignKey("accounts.Practice", on_delete=models.PROTECT, related_name="+")
    means = models.CharField(max_length=30, choices=Means.choices)
    approved = models.BooleanField()
    reference = models.TextField(_("reference of the decision"), max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_by_label = models.CharField(max_length=200)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["practice", "means", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.practice_id}:{self.means}:{'approved' if self.approved else 'withdrawn'}"
