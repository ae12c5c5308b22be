"""`egide init` with EGIDE_KEY_PROVIDER=sealed: the master key is sealed under the passphrase from
the file, or typed twice on a terminal; without either, a French refusal and no key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.core.setup import directories_prepare
from egide.core.tests.cli import operator_env, run_egide
from egide.crypto import prompts, runtime
from egide.crypto.errors import KeyStoreError

PASSPHRASE = "cheval correct agrafe pile 42"


def test_it_seals_the_master_key_with_the_passphrase_file(tmp_path: Path) -> None:
    passphrase_file = tmp_path / "phrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    env = operator_env(tmp_path, EGIDE_KEY_PROVIDER="sealed", EGIDE_KEY_PASSPHRASE_FILE=str(passphrase_file))

    init = run_egide("init", env=env, cwd=tmp_path)

    assert init.returncode == 0, init.stderr
    assert (tmp_path / "keys" / "master.sealed").exists()
    assert not (tmp_path / "keys" / "master.key").exists()
    assert PASSPHRASE not in (tmp_path / "keys" / "master.sealed").read_text()
    status = run_egide("keys", "status", env=env, cwd=tmp_path)
    assert "scellée par phrase de passe" in status.stdout and "État : ouverte" in status.stdout
    unseal = run_egide("unseal", env=env, cwd=tmp_path)
    assert "Phrase de passe correcte" in unseal.stdout

    without_file = {key: value for key, value in env.items() if key != "EGIDE_KEY_PASSPHRASE_FILE"}
    sealed = run_egide("keys", "status", env=without_file, cwd=tmp_path)
    assert "État : SCELLÉE" in sealed.stdout


def test_it_refuses_without_a_passphrase_and_without_a_terminal(tmp_path: Path) -> None:
    env = operator_env(tmp_path, EGIDE_KEY_PROVIDER="sealed")
    init = run_egide("init", env=env, cwd=tmp_path)
    assert init.returncode != 0
    assert "EGIDE_KEY_PASSPHRASE_FILE" in init.stderr and "Traceback" not in init.stderr
    assert not (tmp_path / "keys" / "master.sealed").exists()


def test_it_asks_twice_on_a_terminal_and_refuses_a_mismatch(
    settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "SEALED_COST", {"time_cost": 1, "memory_cost": 64, "parallelism": 1})
    monkeypatch.setattr(prompts, "_interactive", lambda: True)
    settings.KEY_PROVIDER = "sealed"
    runtime.forget_unsealed()
    typed = iter([PASSPHRASE, PASSPHRASE + " oups"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))

    with pytest.raises(KeyStoreError, match="Les deux saisies diffèrent") as refused:
        directories_prepare()
    assert PASSPHRASE not in str(refused.value)
    assert not (settings.KEY_DIR / "master.sealed").exists()

    typed = iter([PASSPHRASE, PASSPHRASE])
    directories_prepare()
    assert (settings.KEY_DIR / "master.sealed").exists()
    assert not runtime.is_sealed()
    runtime.forget_unsealed()


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "Motdepasse2024!"])
def test_a_weak_or_common_passphrase_is_refused_in_french(weak: str) -> None:
    with pytest.raises(ValueError, match=r"trop facile à deviner|mots de passe les plus courants") as caught:
        runtime.passphrase_check(weak)
    assert weak not in str(caught.value)
