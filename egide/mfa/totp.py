"""TOTP with a sealed secret: django-otp's verification, the secret never in clear at rest.

The secret (20 random bytes, RFC 4226 §4) is an AES-256-GCM envelope (`egide.crypto.envelope`)
under the keyring's FIELD purpose key, with associated data naming the row and the account, so a
sealed secret copied onto another row or account does not open. A sealed keyring means no secret
can be read: verification raises `Sealed` (the 503 "locked" page) rather than letting anyone in
(DESIGN invariant 4). Passkeys and recovery codes hold no secret and keep working meanwhile.

Verification is django-otp's: its `TOTP` (RFC 6238, 30-second steps), ±``tolerance`` steps, a
code accepted only at a later step than the last accepted one (``last_t``: no replay), drift
follow-up and throttling (`ThrottlingMixin`). One difference: the row is locked while a code is
checked, so two requests carrying the same code at the same instant cannot both be accepted.
"""

from __future__ import annotations

import logging
import os
import time

from django.db import transaction
from django_otp.oath import TOTP

from egide.crypto import runtime
from egide.crypto.envelope import open_, seal
from egide.crypto.hierarchy import Keyring, Purpose, root_key_id, root_version_of
from egide.crypto.rotation import RootVersionDependent
from egide.mfa.models import SealedTOTPDevice

logger = logging.getLogger(__name__)

SECRET_BYTES = 20  # 160 bits, RFC 4226 §4 R6


def _aad_for(device_id: object, user_id: object) -> bytes:
    return f"mfa.SealedTOTPDevice|secret|{device_id}|{user_id}".encode("ascii")


def _aad(device: SealedTOTPDevice) -> bytes:
    return _aad_for(device.secret_id, device.user_id)


def _field_key(keyring: Keyring, key_id: str) -> bytes:
    return keyring.purpose_key(Purpose.FIELD, root_version_of(key_id)).key


def totp_secret_seal(
    *, device_id: object, user_id: object, secret: bytes, keyring: Keyring
) -> tuple[str, int]:
    """The envelope of ``secret`` for the device whose ``secret_id`` is ``device_id``, of account
    ``user_id``, and the root version it is sealed under (the migration of django-otp's secrets
    uses it too)."""
    version = keyring.current_version
    aad = _aad_for(device_id, user_id)
    return seal(keyring.purpose_key(Purpose.FIELD, version).key, root_key_id(version), secret, aad), version


def _seal_into(device: SealedTOTPDevice, secret: bytes, keyring: Keyring) -> None:
    device.secret, device.root_version = totp_secret_seal(
        device_id=device.secret_id, user_id=device.user_id, secret=secret, keyring=keyring
    )


def totp_secret_open(device: SealedTOTPDevice) -> bytes:
    """The clear secret, for the duration of a check or of the enrolment page; raises when sealed."""
    runtime.require_unsealed()
    keyring = runtime.current_keyring()
    return open_(lambda key_id: _field_key(keyring, key_id), device.secret, _aad(device))


def totp_device_new(*, user_id: object, confirmed: bool, name: str) -> SealedTOTPDevice:
    """A new device with a fresh random secret, sealed, saved; `Sealed` while the keyring is sealed."""
    runtime.require_unsealed()
    device = SealedTOTPDevice(user_id=user_id, confirmed=confirmed, name=name)
    _seal_into(device, os.urandom(SECRET_BYTES), runtime.current_keyring())
    device.save(force_insert=True)
    return device


def totp_verify(device: SealedTOTPDevice, token: str) -> bool:
    """Check a typed code (django-otp's rules, see the module docstring), the row locked meanwhile."""
    with transaction.atomic():
        locked = SealedTOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _details = locked.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(token)
        except ValueError:
            verified = False
        else:
            totp = TOTP(locked.bin_key, locked.step, locked.t0, locked.digits, locked.drift)
            totp.time = time.time()
            verified = bool(totp.verify(code, locked.tolerance, locked.last_t + 1))
        if verified:
            locked.last_t = totp.t()
            locked.drift = totp.drift
            locked.throttle_reset(commit=False)
            locked.set_last_used_timestamp(commit=False)
            locked.save(
                update_fields=[
                    "last_t",
                    "drift",
                    "throttling_failure_count",
                    "throttling_failure_timestamp",
                    "last_used_at",
                ]
            )
        else:
            locked.throttle_increment(commit=True)
    for field in (
        "last_t",
        "drift",
        "throttling_failure_count",
        "throttling_failure_timestamp",
        "last_used_at",
    ):
        setattr(device, field, getattr(locked, field))
    return verified


def totp_secret_versions_in_use() -> set[int]:
    return set(SealedTOTPDevice.objects.values_list("root_version", flat=True).distinct())


def totp_secrets_reseal_batch(keyring: Keyring, batch_size: int) -> int:
    """Re-seal up to ``batch_size`` secrets still under an older root version (root-key rotation)."""
    moved = 0
    with transaction.atomic():
        stale = SealedTOTPDevice.objects.select_for_update().filter(root_version__lt=keyring.current_version)
        for device in stale[:batch_size]:
            secret = open_(lambda key_id: _field_key(keyring, key_id), device.secret, _aad(device))
            _seal_into(device, secret, keyring)
            device.save(update_fields=["secret", "root_version"])
            moved += 1
    return moved


TOTP_SECRETS = RootVersionDependent(
    label="secrets TOTP des applications d'authentification",
    versions_in_use=totp_secret_versions_in_use,
    migrate_batch=totp_secrets_reseal_batch,
)
