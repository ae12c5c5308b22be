"""A rotation interrupted at any point (before the first batch, after any batch, before the old
version is retired) resumes to the same end: every key under the new version, the old retired."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.crypto import runtime, services
from egide.crypto.hierarchy import Keyring
from egide.crypto.selectors import key_status, wrapped_key_counts
from egide.crypto.services import data_key_create, data_key_get, root_key_rotate

pytestmark = pytest.mark.django_db


class Crash(Exception):
    pass


def _crash(*_args: object) -> None:
    raise Crash


@pytest.mark.parametrize("batches_before_crash", [0, 1, 2, 3])
def test_it_resumes_after_a_crash_at_any_batch(
    keys: Path, monkeypatch: pytest.MonkeyPatch, batches_before_crash: int
) -> None:
    data_keys = dict(data_key_create(aad_context=f"patients.Patient|{number}") for number in range(7))
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == batches_before_crash:
            raise Crash  # after this batch committed (3 batches: the last one crashes before retiring)

    if batches_before_crash == 0:
        monkeypatch.setattr(services, "_rewrap_batch", _crash)
    with pytest.raises(Crash):
        root_key_rotate(batch_size=3, progress=progress)
    monkeypatch.undo()
    assert key_status().rotation_pending

    result = root_key_rotate(batch_size=3)

    assert result.resumed and result.new_version == 2 and result.retired_versions == (1,)
    assert wrapped_key_counts() == {2: 7}
    assert {key_id: data_key_get(data_key_id=key_id) for key_id in data_keys} == data_keys
    assert runtime.current_keyring().versions == (1, 2)


def test_it_resumes_when_the_retirement_itself_failed(keys: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_key_create(aad_context="patients.Patient|1")
    saves: list[Keyring] = []
    real_save = runtime.keyring_save

    def save_then_crash(keyring: Keyring) -> None:
        saves.append(keyring)
        if len(saves) == 2:  # the first save adds version 2, the second retires version 1
            raise Crash
        real_save(keyring)

    monkeypatch.setattr(runtime, "keyring_save", save_then_crash)
    with pytest.raises(Crash):
        root_key_rotate()
    monkeypatch.undo()
    assert runtime.current_keyring().live_versions == (1, 2)

    assert root_key_rotate().retired_versions == (1,)
    assert runtime.current_keyring().current_version == 2
