"""Every key operation leaves one audit event, with opaque ids only (DESIGN "Audit")."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.crypto import runtime
from egide.crypto.errors import SealedError
from egide.crypto.recovery import split_master_key
from egide.crypto.recovery_kit import master_key_recover, recovery_kit_generate
from egide.crypto.selectors import master_key_fingerprint
from egide.crypto.services import (
    data_key_create,
    data_key_destroy,
    keyring_unseal,
    master_key_rotate,
    root_key_rotate,
)

pytestmark = pytest.mark.django_db


def _events(action: Action) -> list[Event]:
    return list(Event.objects.filter(action=action.value).order_by("pk"))


def test_it_records_a_destroyed_data_key_by_its_opaque_id(keys: Path) -> None:
    data_key_id, _ = data_key_create(aad_context="patients.Patient|1")
    data_key_destroy(data_key_id=data_key_id)
    [event] = _events(Action.DATA_KEY_DESTROYED)
    assert event.subject_id == data_key_id and event.outcome == Outcome.SUCCESS.value


def test_it_records_rotations_of_root_and_master_keys(keys: Path) -> None:
    root_key_rotate()
    fingerprint = master_key_rotate()
    [rotated] = _events(Action.ROOT_KEY_ROTATED)
    assert rotated.subject_id == "2"
    [master] = _events(Action.MASTER_KEY_ROTATED)
    assert master.subject_id == fingerprint


def test_it_records_the_kit_and_the_recovery_by_fingerprint_never_the_key(keys: Path, tmp_path: Path) -> None:
    master = runtime.current_master_key()
    recovery_kit_generate(output=tmp_path / "kit.pdf")
    (keys / "master.key").unlink()
    master_key_recover(shares=split_master_key(master, 2, 3)[:2])

    events = _events(Action.RECOVERY_KIT_GENERATED) + _events(Action.MASTER_KEY_RECOVERED)
    assert [event.subject_id for event in events] == [master_key_fingerprint(master)] * 2
    assert not any(master.key.hex() in str(vars(event)) for event in events)


def test_it_records_failed_and_successful_unsealing(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    settings.KEY_PROVIDER = "sealed"
    runtime.forget_unsealed()
    runtime.keys_create(passphrase="cheval correct agrafe pile 42")
    runtime.forget_unsealed()

    with pytest.raises(SealedError):
        keyring_unseal(passphrase="pas la bonne phrase")
    assert keyring_unseal(passphrase="cheval correct agrafe pile 42") == 1

    outcomes = [event.outcome for event in _events(Action.KEYRING_UNSEALED)]
    assert outcomes == [Outcome.FAILURE.value, Outcome.SUCCESS.value]
    assert "pas la bonne" not in str([vars(event) for event in _events(Action.KEYRING_UNSEALED)])
    runtime.forget_unsealed()
