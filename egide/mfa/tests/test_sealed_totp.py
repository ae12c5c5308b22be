"""TOTP secrets are sealed under the keyring: no secret in clear in the database, a sealed keyring
refuses codes (fails closed), a root-key rotation re-seals them, django-otp's old clear rows are
moved, and a new application replaces the old one only after a fresh re-authentication."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import Practice, Role, User
from egide.accounts.services import user_create
from egide.accounts.tests.logins import log_in_verified, totp_code, totp_device_for
from egide.audit.actions import Action
from egide.audit.models import Event
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.crypto import runtime
from egide.crypto.errors import DecryptionError
from egide.crypto.services import root_key_rotate
from egide.mfa.legacy import legacy_totp_secrets_seal
from egide.mfa.models import SealedTOTPDevice
from egide.mfa.tests.conftest import shows

pytestmark = pytest.mark.usefixtures("keys")
PASSPHRASE = "cheval correct agrafe pile 42"


def _code_for(secret_base32: str) -> str:
    return f"{totp(base64.b32decode(secret_base32 + '=' * (-len(secret_base32) % 8))):06d}"


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mfa_sealedtotpdevice")
        return repr(cursor.fetchall())


def test_the_database_holds_no_secret_in_clear(client: Client, practice: Practice) -> None:
    user_create(
        practice=practice,
        username="dr.neuf",
        password=PERSONA_PASSWORD,
        roles=[Role.PRATICIEN],
        must_change_password=False,
    )
    client.post("/connexion/", {"username": "dr.neuf", "password": PERSONA_PASSWORD})
    secret = re.search(
        r'data-testid="totp-secret">([A-Z2-7]+)<', client.get("/connexion/activation/").content.decode()
    )
    assert secret is not None
    assert client.post("/connexion/activation/", {"code": _code_for(secret[1])}).status_code == 200

    raw = _raw_rows()
    secret_bytes = base64.b32decode(secret[1] + "=" * (-len(secret[1]) % 8))
    assert secret[1] not in raw and secret[1].lower() not in raw
    assert secret_bytes.hex() not in raw and secret_bytes.hex().upper() not in raw
    assert base64.b64encode(secret_bytes).decode().rstrip("=") not in raw
    assert re.search(r"v1\$root-1\$", raw)
    assert not TOTPDevice.objects.exists()


def test_a_secret_copied_to_another_account_does_not_open(practitioner: User, practitioner2: User) -> None:
    mine, theirs = totp_device_for(practitioner), totp_device_for(practitioner2)
    SealedTOTPDevice.objects.filter(pk=theirs.pk).update(secret=mine.secret)
    theirs.refresh_from_db()
    with pytest.raises(DecryptionError):
        theirs.bin_key  # noqa: B018


def test_replay_and_drift_rules_hold_on_sealed_secrets(client: Client, practitioner: User) -> None:
    device = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False):
        client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
        early = client.post("/connexion/second-facteur/", {"code": totp_code(device, steps_ahead=-1)})
        assert early["Location"] == "/"
        replay = Client()
        replay.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
        assert (
            replay.post("/connexion/second-facteur/", {"code": totp_code(device, steps_ahead=-1)}).status_code
            == 200
        )
        assert replay.get("/")["Location"] == "/connexion/second-facteur/"


@pytest.fixture
def sealed_after_enrolment(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    """Keys sealed under a passphrase; unsealed from a file while the test enrols, then sealed again
    as after a restart without the passphrase file."""
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    settings.KEY_PROVIDER = "sealed"
    settings.KEY_DIR = tmp_path / "sealed-keys"
    settings.KEY_DIR.mkdir(mode=0o700)
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    settings.KEY_PASSPHRASE_FILE = str(passphrase_file)
    runtime.forget_unsealed()
    runtime.keys_create(passphrase=PASSPHRASE)
    yield
    runtime.forget_unsealed()


def test_a_sealed_keyring_refuses_codes_with_the_locked_page(
    client: Client, practitioner: User, sealed_after_enrolment: None, settings: SettingsWrapper
) -> None:
    code = totp_code(totp_device_for(practitioner))  # what the phone shows
    settings.KEY_PASSPHRASE_FILE = ""
    runtime.forget_unsealed()  # a restart without the passphrase file: nobody typed it yet
    client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})

    locked = client.post("/connexion/second-facteur/", {"code": code})

    assert locked.status_code == 503
    assert client.get("/")["Location"] == "/connexion/second-facteur/"


def test_a_root_key_rotation_reseals_the_secrets(client: Client, practitioner: User) -> None:
    device = totp_device_for(practitioner)
    before = device.secret

    result = root_key_rotate()

    device.refresh_from_db()
    assert result.new_version == 2 and device.root_version == 2
    assert device.secret.startswith("v1$root-2$") and device.secret != before
    assert 1 in result.retired_versions
    client.post("/connexion/", {"username": "dr.martin", "password": PERSONA_PASSWORD})
    assert client.post("/connexion/second-facteur/", {"code": totp_code(device)})["Location"] == "/"


def test_django_otp_clear_secrets_are_moved_into_sealed_devices(practitioner: User) -> None:
    legacy = TOTPDevice.objects.create(user=practitioner, name="totp", confirmed=True, last_t=12345)
    TOTPDevice.objects.create(user=practitioner, name="totp", confirmed=False)

    legacy_totp_secrets_seal(apps, connection.schema_editor())

    assert not TOTPDevice.objects.exists()
    sealed = SealedTOTPDevice.objects.get(user=practitioner)
    assert sealed.confirmed and sealed.last_t == 12345
    assert bytes(sealed.bin_key) == bytes.fromhex(legacy.key)
    assert legacy.key not in _raw_rows()


def test_a_new_application_replaces_the_old_one_after_reauthentication(
    client: Client, practitioner: User
) -> None:
    old = totp_device_for(practitioner)
    with time_machine.travel("2026-11-23 09:00:05 +0000", tick=False) as clock:
        log_in_verified(client, practitioner)
        clock.shift(11 * 60)
        assert client.get("/second-facteur/application/remplacer/")["Location"].startswith(
            "/reauthentification/"
        )
        log_in_verified(client, practitioner)
        page = client.get("/second-facteur/application/remplacer/")
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.content.decode())
        assert secret is not None
        wrong = client.post("/second-facteur/application/remplacer/", {"code": "000000"})
        assert shows(wrong, "This code is not valid. Check the time of your phone and type a new code.")
        clock.shift(2)
        done = client.post("/second-facteur/application/remplacer/", {"code": _code_for(secret[1])})
        assert done["Location"] == "/second-facteur/"

    assert not SealedTOTPDevice.objects.filter(pk=old.pk).exists()
    assert SealedTOTPDevice.objects.filter(user=practitioner, confirmed=True).count() == 1
    assert Event.objects.filter(action=Action.TOTP_REPLACED, actor_id=str(practitioner.pk)).exists()
