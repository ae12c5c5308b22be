"""Key operations with a sealed master key: the master key is rotated and recovered under the
same kind of protection (a passphrase), never left in a plain file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.core.errors import Sealed
from egide.crypto import runtime
from egide.crypto.errors import SealedError
from egide.crypto.recovery import split_master_key
from egide.crypto.recovery_kit import master_key_recover
from egide.crypto.services import data_key_create, data_key_get, master_key_rotate

pytestmark = pytest.mark.django_db
PASSPHRASE = "cheval correct agrafe pile 42"


@pytest.fixture
def sealed_keys(settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    settings.KEY_PROVIDER = "sealed"
    passphrase_file = tmp_path / "phrase"
    passphrase_file.write_text(PASSPHRASE)
    settings.KEY_PASSPHRASE_FILE = str(passphrase_file)
    runtime.forget_unsealed()
    runtime.keys_create(passphrase=PASSPHRASE)
    yield settings.KEY_DIR
    runtime.forget_unsealed()


def test_it_rotates_a_sealed_master_key_under_the_same_passphrase(sealed_keys: Path) -> None:
    data_key_id, data_key = data_key_create(aad_context="patients.Patient|1")
    old_master = runtime.current_master_key()

    with pytest.raises(SealedError):
        master_key_rotate(passphrase="pas la bonne phrase de passe")
    master_key_rotate(passphrase=PASSPHRASE)

    runtime.forget_unsealed()  # a restart: the passphrase file opens the new sealed key
    assert runtime.current_master_key() != old_master
    assert data_key_get(data_key_id=data_key_id) == data_key
    assert not (sealed_keys / "master.key").exists() and not (sealed_keys / "next").exists()


def test_it_recovers_a_sealed_master_key_from_the_kit(sealed_keys: Path) -> None:
    data_key_id, data_key = data_key_create(aad_context="patients.Patient|1")
    shares = split_master_key(runtime.current_master_key(), 2, 3)
    (sealed_keys / "master.sealed").unlink()  # passphrase forgotten, file deleted
    runtime.forget_unsealed()

    master_key_recover(shares=shares[::2], passphrase="une toute nouvelle phrase de passe bien plus longue")

    assert (sealed_keys / "master.sealed").exists() and not (sealed_keys / "master.key").exists()
    assert data_key_get(data_key_id=data_key_id) == data_key


def test_it_reopens_the_new_sealed_key_in_other_processes_from_the_file(sealed_keys: Path) -> None:
    data_key_id, data_key = data_key_create(aad_context="patients.Patient|1")
    web_process_master = runtime.current_master_key()
    other = runtime._sealed.copy()  # what a web process holds in memory
    master_key_rotate(passphrase=PASSPHRASE)
    runtime._sealed.update(other)  # this process now plays the web process, with the old key
    assert runtime.current_master_key() == web_process_master

    assert data_key_get(data_key_id=data_key_id) == data_key
    assert runtime.current_master_key() != web_process_master


def test_it_locks_other_processes_without_a_passphrase_file(
    sealed_keys: Path, settings: SettingsWrapper
) -> None:
    data_key_id, _ = data_key_create(aad_context="patients.Patient|1")
    other = runtime._sealed.copy()
    master_key_rotate(passphrase=PASSPHRASE)
    runtime._sealed.update(other)
    settings.KEY_PASSPHRASE_FILE = ""

    with pytest.raises(Sealed):
        data_key_get(data_key_id=data_key_id)
    assert runtime.is_sealed()
