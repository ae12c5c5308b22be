from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from egide.accounts.validators import validate_siren


class Practice(models.Model):
    """A practice (cabinet, maison de santé, clinic): it owns its staff and, later, its patients.

    One installation may host several practices (an IT provider's); nothing of one
    is ever visible from another.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    address = models.TextField(_("address"), blank=True)
    dpo_name = models.CharField(_("DPO name"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO e-mail"), blank=True)
    dpo_phone = models.CharField(_("DPO phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """DESIGN.md "Access control": a person may hold several roles."""

    PRATICIEN = "praticien", _("Practitioner")
    SECRETARIAT = "secretariat", _("Secretariat")
    DPO = "dpo", _("DPO")
    ADMIN = "admin", _("Administrator")


# django-otp's devices (untyped) add related managers the stubs cannot see.
class User(AbstractUser):  # type: ignore[django-manager-missing]
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # PROTECT: a practice with staff cannot vanish, and the audit trail keeps its own labels.
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="staff")

    # A password chosen by someone else (`egide init`, `egide demo`, an administrator) is temporary:
    # CNIL délibération 2022-100 asks that it be changed at first login.
    must_change_password = models.BooleanField(_("must change password"), default=True)

    REQUIRED_FIELDS = ["practice"]

    @property
    def label(self) -> str:
        """How the person appears in lists and in the audit trail."""
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(assignment.role) for assignment in self.role_assignments.all())


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class LoginThrottle(models.Model):
    """Failed attempts against one key: a digest of a typed username, or a source IP.

    The key is a keyed digest, so the table names neither the typed usernames (which may be a
    password typed in the wrong field) nor whether an account exists.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key[:8]}:{self.failures}"


class RecoveryCodeDevice(ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """Single-use recovery codes, stored hashed (django-otp's static device keeps them in clear)."""

    def get_throttle_factor(self) -> int:
        return 1


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.device_id}:{'used' if self.used_at else 'unused'}"


class TokenScope(models.TextChoices):
    """What an API token may do (issue 5 item 9). It never gives more than its account's roles."""

    READ = "read", _("Read only")
    READ_WRITE = "read-write", _("Read and write")
    AGENT = "agent", _("Watch agent")


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a digest is kept: the value is shown once, at creation.

    ``prefix`` (``egd_`` and the next 8 characters) names the token in lists and finds its row; the
    digest of the whole value is then compared in constant time (STYLE.md "Views and API").
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=TokenScope.choices)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"
