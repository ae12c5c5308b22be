"""Pro Santé Connect: each practice's client settings, the RPPS of its staff, pending logins."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from egide.accounts.models import Practice, User


class PscConfiguration(models.Model):
    """One practice's client at Pro Santé Connect (or at its sandbox).

    The provider's endpoints are never stored: they are read from its discovery document at run
    time, because the ANS has moved PSC's hostnames before (regulatory-facts §7.1). The client
    secret is an envelope (``v1$<key-id>$…``) under the keyring's field key, bound to this row.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    practice = models.OneToOneField(Practice, on_delete=models.PROTECT, related_name="psc_configuration")
    issuer = models.URLField(_("issuer"), max_length=500)
    discovery_url = models.URLField(_("discovery document"), max_length=500, blank=True)
    client_id = models.CharField(_("client id"), max_length=200)
    client_secret = models.TextField()
    redirect_uri = models.URLField(_("redirect URI"), max_length=500)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"psc:{self.practice_id}"


# django-otp's Device is untyped.
class PscIdentity(Device):  # type: ignore[misc]
    """The RPPS national id an administrator registered on a staff account.

    A django-otp device: a Pro Santé Connect login proves the session's second factor with it
    (the CPS card or e-CPS is itself two factors, eIDAS "substantial"), so the rest of Égide needs
    no special case. The RPPS is kept in clear: it is a public professional identifier (the Annuaire
    Santé publishes it), and logins look it up.
    """

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    rpps = models.CharField(_("RPPS number"), max_length=11)
    registered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "rpps"], name="psc_unique_rpps_per_practice"),
            models.UniqueConstraint(fields=["user"], name="psc_one_identity_per_account"),
        ]

    def verify_token(self, token: object) -> bool:
        return False  # proven by the provider's ID token, never by a typed code


class Purpose(models.TextChoices):
    LOGIN = "login", _("Login")
    REAUTHENTICATION = "reauth", _("Re-authentication")


class PscAuthorisation(models.Model):
    """One authorisation request sent to the provider, used at most once by its callback.

    Only a digest of ``state`` is stored; the browser's session holds the state itself, the nonce and
    the PKCE verifier. The conditional update of ``used_at`` makes a replayed callback fail even
    when two copies arrive together.
    """

    state_digest = models.CharField(max_length=64, unique=True)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    # The account re-authenticating; None for a login.
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose}:{self.state_digest[:8]}"
