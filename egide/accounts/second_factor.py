"""The second factor every staff account must hold (issue 5 item 2): TOTP and recovery codes.

TOTP is RFC 6238 through django-otp: 30-second steps, ±1 step of tolerance, and a code is refused
once a code of the same or a later step was accepted (``TOTPDevice.last_t``), so a code seen over a
shoulder cannot be replayed. Recovery codes are single-use and stored hashed with the password
hasher (Argon2id): django-otp's static device would keep them in clear.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlencode

import segno
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egide.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from egide.audit.actions import Action
from egide.audit.services import audit_record

ISSUER = "Égide"
TOTP_DEVICE_NAME = "totp"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
# 12 characters from 32 unambiguous ones (no 0/O, 1/I/L): 60 bits each, typed as xxxx-xxxx-xxxx.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH = 12
SECOND_FACTOR_SUBJECT = "second-factor"


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (created once, kept across page reloads)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": TOTP_DEVICE_NAME}
    )
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed by hand."""
    return base64.b32encode(bytes(device.bin_key)).decode("ascii").rstrip("=")


def totp_config_url(device: TOTPDevice) -> str:
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    query = urlencode(
        {"secret": totp_secret_base32(device), "issuer": ISSUER, "digits": 6, "period": 30},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The QR code as an SVG data: URI (the CSP allows data: images, no inline script or style)."""
    data_uri: str = segno.make(totp_config_url(device), error="m").svg_data_uri(scale=5, border=2)
    return data_uri


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _position in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[start : start + 4] for start in range(0, RECOVERY_CODE_LENGTH, 4))


def recovery_code_normalise(typed: str) -> str:
    return "".join(char for char in typed.upper() if char.isalnum())


def looks_like_recovery_code(typed: str) -> bool:
    return len(recovery_code_normalise(typed)) == RECOVERY_CODE_LENGTH


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code_new() for _index in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(recovery_code_normalise(code))) for code in codes
    )
    return codes


def totp_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a first code; returns the new recovery codes (shown once).

    None when the code is wrong. Any earlier device of the account is replaced.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user)
        audit_record(action=Action.ACCOUNT_CHANGED, actor=user, subject_type=SECOND_FACTOR_SUBJECT)
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for an account holding a second factor; the old ones stop working (audited).

    A change of second factor: the view asks for a recent re-authentication first.
    """
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_record(action=Action.ACCOUNT_CHANGED, actor=user, subject_type=SECOND_FACTOR_SUBJECT)
    return codes


def _recovery_code_use(user: User, typed: str) -> RecoveryCodeDevice | None:
    device: RecoveryCodeDevice | None = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return None
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return None
    normalised = recovery_code_normalise(typed)
    for code in device.codes.filter(used_at__isnull=True):
        # The conditional update makes the code single-use even under two concurrent requests.
        if (
            check_password(normalised, code.code_hash)
            and RecoveryCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=timezone.now())
            == 1
        ):
            device.throttle_reset()
            return device
    device.throttle_increment()
    return None


def second_factor_match(*, user: User, code: str) -> TOTPDevice | RecoveryCodeDevice | None:
    """The confirmed device that accepts ``code`` (a TOTP code or a recovery code), if any."""
    if looks_like_recovery_code(code):
        return _recovery_code_use(user, code)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(code.strip()):
        return device
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()
