from __future__ import annotations

from pathlib import Path

from egide.backups.passwords import current_repository_password, repository_password
from egide.crypto.hierarchy import MasterKey
from egide.crypto.runtime import current_keyring, current_master_key, keyring_save


def test_it_derives_one_password_per_destination_from_the_master_key_alone() -> None:
    master = MasterKey(bytes(range(32)))

    usb, nas = repository_password(master, "usb"), repository_password(master, "nas")

    assert usb == repository_password(MasterKey(bytes(range(32))), "usb")  # the kit rebuilds it
    assert usb != nas and len(usb) >= 43
    assert repository_password(MasterKey(bytes(32)), "usb") != usb


def test_it_does_not_change_when_root_keys_rotate(keys: Path) -> None:
    before = current_repository_password("usb")
    keyring = current_keyring()
    keyring.add_version()
    keyring_save(keyring)

    assert current_repository_password("usb") == before == repository_password(current_master_key(), "usb")
