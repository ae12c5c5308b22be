"""Master-key providers: the key file is private or refused; the sealed file opens with the right
passphrase only, and no error ever shows a secret."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from egide.crypto.errors import KeyStoreError, SealedError
from egide.crypto.hierarchy import MasterKey
from egide.crypto.providers import FileProvider, MasterKeyProvider, SealedProvider

PASSPHRASE = "cheval correct agrafe pile 42"
# Small Argon2id parameters keep the tests fast; production uses the RFC 9106 defaults.
FAST = {"time_cost": 1, "memory_cost": 64, "parallelism": 1}


def _secret_forms(master: MasterKey) -> list[str]:
    return [
        PASSPHRASE,
        master.key.hex(),
        repr(master.key),
        base64.b64encode(master.key).decode("ascii"),
    ]


def test_it_creates_a_private_key_file_and_loads_it(tmp_path: Path) -> None:
    key_dir = tmp_path / "keys"
    provider: MasterKeyProvider = FileProvider(key_dir)

    master = FileProvider(key_dir).create()

    assert provider.load() == master
    assert not provider.is_sealed()
    assert stat.S_IMODE((key_dir / "master.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert sorted(entry.name for entry in key_dir.iterdir()) == ["master.key"]


def test_it_refuses_a_key_file_readable_by_others(tmp_path: Path) -> None:
    provider = FileProvider(tmp_path)
    master = provider.create()
    os.chmod(provider.path, 0o644)

    with pytest.raises(KeyStoreError, match="chmod 600") as raised:
        provider.load()
    assert "0644" in str(raised.value)
    assert not any(form in str(raised.value) for form in _secret_forms(master))


def test_it_refuses_to_overwrite_an_existing_key(tmp_path: Path) -> None:
    provider = FileProvider(tmp_path)
    master = provider.create()

    with pytest.raises(KeyStoreError, match="existe déjà"):
        provider.create()
    assert provider.load() == master


def test_it_refuses_a_missing_malformed_or_linked_key_file(tmp_path: Path) -> None:
    provider = FileProvider(tmp_path)
    with pytest.raises(KeyStoreError, match="introuvable"):
        provider.load()

    provider.path.write_bytes(b"not base64 at all\n")
    provider.path.chmod(0o600)
    with pytest.raises(KeyStoreError, match="illisible"):
        provider.load()

    provider.path.unlink()
    target = tmp_path / "elsewhere.key"
    FileProvider(tmp_path / "other").create()
    (tmp_path / "other" / "master.key").rename(target)
    provider.path.symlink_to(target)
    with pytest.raises(KeyStoreError):
        provider.load()


def test_it_unseals_with_the_right_passphrase(tmp_path: Path) -> None:
    master = MasterKey.generate()
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, master)
    # A fresh provider, as after a restart; the file's own parameters are used, not the defaults.
    provider: MasterKeyProvider = SealedProvider(tmp_path)

    assert provider.is_sealed()
    assert isinstance(provider, SealedProvider)
    assert provider.unseal(PASSPHRASE) == master
    assert not provider.is_sealed()
    assert provider.load() == master
    assert stat.S_IMODE((tmp_path / "master.sealed").stat().st_mode) == 0o600


def test_it_refuses_a_wrong_passphrase_without_showing_any_secret(tmp_path: Path) -> None:
    master = MasterKey.generate()
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, master)
    provider = SealedProvider(tmp_path, **FAST)

    with pytest.raises(SealedError) as raised:
        provider.unseal(PASSPHRASE + "!")

    assert str(raised.value) == "Phrase de passe incorrecte."
    assert raised.value.__cause__ is None
    assert not any(form in str(raised.value) for form in _secret_forms(master))
    assert provider.is_sealed()


def test_it_refuses_to_load_while_sealed(tmp_path: Path) -> None:
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, MasterKey.generate())

    with pytest.raises(SealedError, match="scellé"):
        SealedProvider(tmp_path).load()


def test_it_never_writes_the_master_key_or_passphrase_in_the_sealed_file(tmp_path: Path) -> None:
    master = MasterKey.generate()
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, master)
    content = (tmp_path / "master.sealed").read_text()

    assert not any(form in content for form in _secret_forms(master))
    document = json.loads(content)
    assert document["scheme"] == "argon2id-aes256gcm-v1"
    assert (document["time_cost"], document["memory_cost"], document["parallelism"]) == (1, 64, 1)


def test_it_unseals_a_passphrase_typed_in_another_unicode_form(tmp_path: Path) -> None:
    master = MasterKey.generate()
    SealedProvider(tmp_path, **FAST).create("clé de l'étude médicale", master)

    decomposed = "cle\u0301 de l'e\u0301tude me\u0301dicale"
    assert SealedProvider(tmp_path).unseal(decomposed) == master


def test_it_refuses_a_short_passphrase(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="trop courte") as raised:
        SealedProvider(tmp_path, **FAST).create("x7Qz-9", MasterKey.generate())
    assert "x7Qz" not in str(raised.value)
    assert not (tmp_path / "master.sealed").exists()


def test_it_refuses_an_altered_or_unsafe_sealed_file(tmp_path: Path) -> None:
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, MasterKey.generate())
    path = tmp_path / "master.sealed"
    original = json.loads(path.read_text())

    ciphertext = bytearray(base64.b64decode(original["ciphertext"]))
    ciphertext[20] ^= 1
    altered = original | {"ciphertext": base64.b64encode(bytes(ciphertext)).decode("ascii")}
    path.write_text(json.dumps(altered))
    with pytest.raises(SealedError):
        SealedProvider(tmp_path).unseal(PASSPHRASE)

    for broken in [original | {"memory_cost": 2**40}, original | {"scheme": "plain"}, {"scheme": "x"}]:
        path.write_text(json.dumps(broken))
        with pytest.raises(KeyStoreError, match="illisible"):
            SealedProvider(tmp_path).unseal(PASSPHRASE)

    path.write_text(json.dumps(original))
    path.chmod(0o640)
    with pytest.raises(KeyStoreError, match="Permissions trop larges"):
        SealedProvider(tmp_path).unseal(PASSPHRASE)


def test_it_refuses_to_overwrite_a_sealed_file(tmp_path: Path) -> None:
    master = MasterKey.generate()
    SealedProvider(tmp_path, **FAST).create(PASSPHRASE, master)

    with pytest.raises(KeyStoreError, match="existe déjà"):
        SealedProvider(tmp_path, **FAST).create(PASSPHRASE, MasterKey.generate())
    assert SealedProvider(tmp_path).unseal(PASSPHRASE) == master
