"""The second factor every staff account must hold (issue 5 item 2): TOTP, passkeys, recovery codes.

TOTP is RFC 6238 through django-otp: 30-second steps, ±1 step of tolerance, and a code is refused
once a code of the same or a later step was accepted (``last_t``), so a code seen over a shoulder
cannot be replayed. Its secret is sealed under the keyring (`egide.mfa.totp`), never in clear in the
database. Passkeys (WebAuthn) live in `egide.mfa.passkeys`. Recovery codes are single-use and stored
hashed with the password hasher (Argon2id): django-otp's static device would keep them in clear.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlencode

import segno
from django.apps import apps
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from egide.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.mfa.homologation import means_approved
from egide.mfa.models import Means, PasskeyDevice, SealedTOTPDevice
from egide.mfa.totp import totp_device_new

ISSUER = "Égide"
TOTP_DEVICE_NAME = "totp"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
# 12 characters from 32 unambiguous ones (no 0/O, 1/I/L): 60 bits each, typed as xxxx-xxxx-xxxx.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_LENGTH = 12
SECOND_FACTOR_SUBJECT = "second-factor"


def has_second_factor(user: User) -> bool:
    """Whether the account already holds a means of its own. A registered RPPS counts: such a
    person proves the second factor with Pro Santé Connect, and a password alone must never lead
    to enrolling a new means (someone who phished the password would enrol theirs)."""
    psc_identity = apps.get_model("psc", "PscIdentity")
    return bool(
        SealedTOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or PasskeyDevice.objects.filter(user=user, confirmed=True).exists()
        or psc_identity.objects.filter(user=user, confirmed=True).exists()
    )


def totp_device_pending(*, user: User) -> SealedTOTPDevice:
    """The unconfirmed TOTP device being enrolled (created once, kept across page reloads).

    Its secret is sealed at once: a sealed keyring raises `Sealed` (the "locked" page)."""
    device: SealedTOTPDevice | None = SealedTOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = totp_device_new(user_id=user.pk, confirmed=False, name=TOTP_DEVICE_NAME)
    return device


def totp_secret_base32(device: SealedTOTPDevice) -> str:
    """The secret as authenticator apps take it when typed by hand."""
    return base64.b32encode(bytes(device.bin_key)).decode("ascii").rstrip("=")


def totp_config_url(device: SealedTOTPDevice) -> str:
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    query = urlencode(
        {"secret": totp_secret_base32(device), "issuer": ISSUER, "digits": 6, "period": 30},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def totp_qr_data_uri(device: SealedTOTPDevice) -> str:
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
    # The device is kept (only its codes change): a session proven with a recovery code stays so.
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_recovery_code_new() for _index in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(recovery_code_normalise(code))) for code in codes
    )
    return codes


def recovery_codes_at_enrolment(user: User) -> list[str]:
    """The first recovery codes, when the practice approves them as a backup ([] otherwise)."""
    if not means_approved(practice=user.practice, means=Means.RECOVERY_CODES):
        return []
    return _recovery_codes_replace(user)


def totp_enrol_confirm(*, user: User, device: SealedTOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a first code; returns the new recovery codes (shown once).

    None when the code is wrong. Any earlier device of the account is replaced.
    """
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        return None
    with transaction.atomic():
        SealedTOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_at_enrolment(user)
        audit_record(
            action=Action.TOTP_ENROLLED, actor=user, subject_type=SECOND_FACTOR_SUBJECT, subject_id=device.pk
        )
    return codes


def totp_replace_confirm(*, user: User, device: SealedTOTPDevice, code: str) -> bool:
    """A new authenticator application replaces the old one once it gave a first code (audited).

    A change of second factor: the view asks for a recent re-authentication first. Recovery codes
    are kept."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(code.strip()):
        return False
    with transaction.atomic():
        SealedTOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            action=Action.TOTP_REPLACED, actor=user, subject_type=SECOND_FACTOR_SUBJECT, subject_id=device.pk
        )
    return True


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


def second_factor_match(*, user: User, code: str) -> SealedTOTPDevice | RecoveryCodeDevice | None:
    """The confirmed device that accepts ``code`` (a TOTP code or a recovery code), if any.

    A sealed keyring raises `Sealed`: a TOTP code cannot be checked then (fail closed)."""
    if looks_like_recovery_code(code):
        return _recovery_code_use(user, code)
    device: SealedTOTPDevice | None = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(code.strip()):
        return device
    return None


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()
