"""Moving django-otp's clear TOTP secrets into sealed devices (migration ``mfa.0002``).

Kept apart from the migration so a test runs the very same code. Confirmed devices are moved with
their state (last accepted step, drift, throttling) so nobody re-enrols and no code can be replayed;
unconfirmed ones (an enrolment left half-way) are dropped. The original rows are deleted, secrets
with them. With SQLite, the freed pages may keep old bytes until they are reused: the migration
asks SQLite to overwrite deleted content (``secure_delete``) for its own deletions.
"""

from __future__ import annotations

from typing import Any

from egide.core.errors import Sealed
from egide.crypto import runtime
from egide.crypto.errors import CryptoError


def legacy_totp_secrets_seal(apps: Any, schema_editor: Any) -> None:
    legacy_model = apps.get_model("otp_totp", "TOTPDevice")
    sealed_model = apps.get_model("mfa", "SealedTOTPDevice")
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")
    legacy_model.objects.filter(confirmed=False).delete()
    legacy = list(legacy_model.objects.all())
    if not legacy:
        return
    from egide.mfa.totp import totp_secret_seal

    try:
        runtime.require_unsealed()
        keyring = runtime.current_keyring()
    except (Sealed, CryptoError) as error:
        raise RuntimeError(
            "Les secrets TOTP existants doivent être chiffrés, mais les clés d'Égide ne sont pas "
            f"disponibles ({error}). Rendez-les disponibles (EGIDE_KEY_PASSPHRASE_FILE pour une clé "
            "scellée), puis relancez la migration."
        ) from None
    for old in legacy:
        new = sealed_model(
            user_id=old.user_id,
            name=old.name,
            confirmed=True,
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count,
            last_used_at=old.last_used_at,
        )
        new.secret, new.root_version = totp_secret_seal(
            device_id=new.secret_id, user_id=new.user_id, secret=bytes.fromhex(old.key), keyring=keyring
        )
        new.save(force_insert=True)
    legacy_model.objects.filter(pk__in=[old.pk for old in legacy]).delete()
