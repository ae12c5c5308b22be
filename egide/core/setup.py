"""Installation steps shared by `egide init` and `egide demo`."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from huey.contrib.djhuey import HUEY

from egide.accounts.models import Practice, Role, User
from egide.accounts.selectors import practice_exists
from egide.accounts.services import password_generate, practice_create, user_create
from egide.crypto.files import ensure_private_dir, write_new_file
from egide.crypto.prompts import new_passphrase
from egide.crypto.runtime import is_sealed_provider, keys_create, keys_exist


def directories_prepare() -> bool:
    """Create the data and key directories (0700), the master key and keyring, and the secret
    key (0600). True if the secret key is new."""
    ensure_private_dir(Path(settings.DATA_DIR))
    ensure_private_dir(Path(settings.KEY_DIR))
    if not keys_exist():
        # Sealed provider: the passphrase comes from EGIDE_KEY_PASSPHRASE_FILE or is typed twice.
        keys_create(passphrase=new_passphrase() if is_sealed_provider() else None)
    key_file = Path(settings.SECRET_KEY_FILE)
    if os.environ.get("EGIDE_SECRET_KEY") or os.environ.get("EGIDE_SECRET_KEY_FILE") or key_file.exists():
        return False
    write_new_file(key_file, (secrets.token_urlsafe(64) + "\n").encode())
    return True


def database_migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    jobs_queue_prepare()


def jobs_queue_prepare() -> None:
    """Create the SQLite job queue's tables (idempotent). A Redis queue needs no schema."""
    initialize_schema = getattr(HUEY.storage, "initialize_schema", None)
    if initialize_schema is not None:
        initialize_schema()


@dataclass(frozen=True)
class CreatedAccount:
    username: str
    password: str
    roles: tuple[Role, ...]


def first_practice_create(*, practice_name: str, siren: str, admin_username: str) -> CreatedAccount | None:
    """Create the first practice and its administrator, once. None when a practice already exists."""
    with transaction.atomic():
        if practice_exists():
            return None
        practice = practice_create(name=practice_name, siren=siren)
        return staff_create(practice, admin_username, (Role.ADMIN,), "", "")


def staff_create(
    practice: Practice, username: str, roles: tuple[Role, ...], first: str, last: str
) -> CreatedAccount:
    password = password_generate()
    user_create(
        practice=practice, username=username, password=password, roles=roles, first_name=first, last_name=last
    )
    return CreatedAccount(username, password, roles)


def practice_of(username: str) -> Practice:
    return User.objects.select_related("practice").get(username=username).practice
