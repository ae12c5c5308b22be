"""Logging test clients in, as far as each test needs (conftest's fixtures use these)."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import RecoveryCodeDevice, User
from egide.accounts.second_factor import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME
from egide.crypto.runtime import keys_create, keys_exist
from egide.mfa.models import SealedTOTPDevice
from egide.mfa.totp import totp_device_new


def totp_device_for(user: User) -> SealedTOTPDevice:
    """The person's confirmed authenticator application (created when missing). Its secret is
    sealed under the installation's keys: a test without the ``keys`` fixture gets them here."""
    device: SealedTOTPDevice | None = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        if not keys_exist():
            keys_create()
        device = totp_device_new(user_id=user.pk, confirmed=True, name=TOTP_DEVICE_NAME)
    return device


def totp_code(device: SealedTOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the application shows now (or ``steps_ahead`` 30-second steps later)."""
    return f"{totp(bytes(device.bin_key), t0=device.t0, step=device.step, drift=steps_ahead):06d}"


def _mark_verified(client: Client, user: User) -> None:
    # Any device of the account proves the session; the recovery-code device holds no secret,
    # so no key directory is needed (regenerating codes keeps the device, hence the session).
    device, _created = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = time.time()
    session.save()


def log_in_verified(client: Client, user: User) -> Client:
    """A session past the password and the second factor, both just proven (recent authentication)."""
    Client.force_login(client, user)
    _mark_verified(client, user)
    return client


class EgideClient(Client):
    """conftest's ``client``: ``force_login`` opens a session that is past the second factor, as
    every page of the app requires; ``force_login_password_only`` stops before it."""

    def force_login(self, user: User, backend: str | None = None) -> None:
        super().force_login(user, backend)
        _mark_verified(self, user)

    def force_login_password_only(self, user: User) -> None:
        super().force_login(user)


def log_in_through_forms(client: Client, user: User, password: str) -> str:
    """The real login: the password form, then a code of the person's authenticator application.

    Returns where the second step sends the person."""
    device = totp_device_for(user)
    first = client.post("/connexion/", {"username": user.username, "password": password})
    assert first["Location"] == "/connexion/second-facteur/"
    return str(client.post("/connexion/second-facteur/", {"code": totp_code(device)})["Location"])
