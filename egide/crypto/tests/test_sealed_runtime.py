"""Sealed master key: patient operations refused while sealed; the passphrase file or a typed
passphrase unseals; nothing secret in any message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.core.errors import Sealed
from egide.crypto import prompts, runtime
from egide.crypto.errors import KeyStoreError, SealedError
from egide.crypto.selectors import key_status
from egide.crypto.services import data_key_create, data_key_get, keyring_unseal_interactively

PASSPHRASE = "cheval correct agrafe pile 42"


@pytest.fixture
def sealed_keys(settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    settings.KEY_PROVIDER = "sealed"
    settings.KEY_DIR.mkdir(mode=0o700, parents=True)
    runtime.forget_unsealed()
    runtime.keys_create(passphrase=PASSPHRASE)
    runtime.forget_unsealed()  # as after a restart
    yield settings.KEY_DIR
    runtime.forget_unsealed()


@pytest.mark.django_db
def test_it_refuses_patient_keys_while_sealed_with_a_french_503(sealed_keys: Path) -> None:
    assert (sealed_keys / "master.sealed").exists()
    assert not (sealed_keys / "master.key").exists()
    assert runtime.is_sealed()

    with pytest.raises(Sealed) as refused:
        data_key_create(aad_context="patients.Patient|1")
    assert refused.value.http_status == 503
    assert refused.value.code == "verrouille"


@pytest.mark.django_db
def test_it_unseals_from_the_passphrase_file_at_start(
    sealed_keys: Path, settings: SettingsWrapper, tmp_path: Path
) -> None:
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    settings.KEY_PASSPHRASE_FILE = str(passphrase_file)

    data_key_id, data_key = data_key_create(aad_context="patients.Patient|1")

    assert not runtime.is_sealed()
    assert data_key_get(data_key_id=data_key_id) == data_key


@pytest.mark.django_db
def test_it_unseals_interactively_after_a_typo(sealed_keys: Path, caplog: pytest.LogCaptureFixture) -> None:
    typed = iter(["une faute de frappe ici", PASSPHRASE])

    assert keyring_unseal_interactively(lambda prompt: next(typed))
    assert not runtime.is_sealed()
    assert runtime.current_keyring().current_version == 1
    assert PASSPHRASE not in caplog.text


@pytest.mark.django_db
def test_it_gives_up_after_three_wrong_passphrases_without_showing_them(sealed_keys: Path) -> None:
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "mauvaise phrase de passe"

    assert not keyring_unseal_interactively(ask)
    assert len(asked) == 3 and runtime.is_sealed()
    with pytest.raises(SealedError) as wrong:
        runtime.unseal("mauvaise phrase de passe")
    assert "mauvaise" not in str(wrong.value) and str(wrong.value) == "Phrase de passe incorrecte."


def test_it_refuses_a_short_passphrase_for_a_new_key(settings: SettingsWrapper) -> None:
    settings.KEY_PROVIDER = "sealed"
    with pytest.raises(ValueError, match="trop courte") as short:
        runtime.keys_create(passphrase="court")
    assert "court" not in str(short.value).replace("trop courte", "")
    assert not (settings.KEY_DIR / "keyring.wrapped").exists()


@pytest.mark.django_db
def test_it_stays_sealed_with_a_wrong_passphrase_file_and_says_why(
    sealed_keys: Path, settings: SettingsWrapper, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text("une ancienne phrase de passe\n")
    settings.KEY_PASSPHRASE_FILE = str(passphrase_file)

    with pytest.raises(Sealed):
        data_key_create(aad_context="patients.Patient|1")
    assert key_status().problem == "EGIDE_KEY_PASSPHRASE_FILE : Phrase de passe incorrecte."
    assert "ancienne" not in caplog.text

    passphrase_file.write_text(PASSPHRASE + "\n")  # the operator fixes the file
    data_key_create(aad_context="patients.Patient|1")
    assert key_status().problem == ""


def test_it_refuses_to_wait_for_a_passphrase_without_a_terminal(
    sealed_keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "_interactive", lambda: False)
    with pytest.raises(KeyStoreError, match="EGIDE_KEY_PASSPHRASE_FILE"):
        keyring_unseal_interactively(prompts.typed_passphrase)
    assert runtime.is_sealed()
