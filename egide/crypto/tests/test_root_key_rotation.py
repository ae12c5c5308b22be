"""Root-key rotation re-wraps every data key in batches, resumes an interrupted run, retires the
old version only once nothing depends on it, and never changes the data keys themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.crypto import runtime
from egide.crypto.errors import KeyringError
from egide.crypto.hierarchy import load_keyring
from egide.crypto.models import WrappedKey
from egide.crypto.selectors import key_status, wrapped_key_counts
from egide.crypto.services import _rewrap_batch, data_key_create, data_key_get, root_key_rotate

pytestmark = pytest.mark.django_db


def _create(count: int) -> dict[str, bytes]:
    return dict(data_key_create(aad_context=f"patients.Patient|{number}") for number in range(count))


def test_it_rewraps_every_key_in_batches_and_retires_the_old_version(keys: Path) -> None:
    data_keys = _create(7)
    progress: list[tuple[int, int]] = []

    result = root_key_rotate(batch_size=3, progress=lambda done, total: progress.append((done, total)))

    assert (result.new_version, result.rewrapped, result.retired_versions) == (2, 7, (1,))
    assert progress == [(3, 7), (6, 7), (7, 7)]
    assert wrapped_key_counts() == {2: 7}
    assert all(row.wrapped.startswith("v1$root-2$") for row in WrappedKey.objects.all())
    assert {key_id: data_key_get(data_key_id=key_id) for key_id in data_keys} == data_keys
    keyring = runtime.current_keyring()
    assert keyring.current_version == 2 and keyring.retired_versions == {1}


def test_it_resumes_an_interrupted_rotation_instead_of_starting_another(keys: Path) -> None:
    data_keys = _create(5)
    keyring = load_keyring(runtime.keyring_path(), runtime.current_master_key())
    keyring.add_version()
    runtime.keyring_save(keyring)
    _rewrap_batch(keyring, 2)  # then the process died
    assert wrapped_key_counts() == {1: 3, 2: 2}
    assert key_status().rotation_pending

    result = root_key_rotate(batch_size=2)

    assert result.resumed and result.new_version == 2 and result.rewrapped == 3
    assert wrapped_key_counts() == {2: 5}
    assert not key_status().rotation_pending
    assert {key_id: data_key_get(data_key_id=key_id) for key_id in data_keys} == data_keys


def test_it_makes_new_keys_use_the_new_version_at_once(keys: Path) -> None:
    runtime.current_keyring()  # this process has the keyring cached
    root_key_rotate()
    data_key_id, _ = data_key_create(aad_context="patients.Patient|after")
    assert WrappedKey.objects.get(pk=data_key_id).root_version == 2


def test_it_finishes_an_interrupted_destroy_while_rotating(keys: Path) -> None:
    data_keys = _create(3)
    shredded = next(iter(data_keys))
    runtime.shredding_journal().append(shredded)  # destroy crashed before deleting the row

    root_key_rotate(batch_size=10)

    assert not WrappedKey.objects.filter(pk=shredded).exists()
    assert wrapped_key_counts() == {2: 2}


def test_it_keeps_every_older_version_over_two_rotations(keys: Path) -> None:
    data_keys = _create(2)
    root_key_rotate()
    root_key_rotate()

    keyring = runtime.current_keyring()
    assert keyring.versions == (1, 2, 3) and keyring.retired_versions == {1, 2}
    assert {key_id: data_key_get(data_key_id=key_id) for key_id in data_keys} == data_keys


def test_it_refuses_to_run_while_another_key_operation_runs(keys: Path) -> None:
    with runtime.key_operation_lock(), pytest.raises(KeyringError, match="est en cours"):
        root_key_rotate()
    assert runtime.current_keyring().current_version == 1
