"""The printed recovery kit: a real French PDF, one page per holder, that rebuilds the key directory
from any k of its shares, including root versions added after it was printed."""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.crypto import runtime
from egide.crypto.errors import KeyStoreError, RecoveryError
from egide.crypto.recovery_kit import master_key_recover, recovery_kit_generate
from egide.crypto.selectors import master_key_fingerprint
from egide.crypto.services import data_key_create, data_key_destroy, data_key_get, root_key_rotate

WORDS_PER_SHARE = 33  # SLIP-39, 256-bit secret

pytestmark = pytest.mark.django_db


def kit_shares(pdf: Path) -> list[str]:
    """The share words as a holder reads them off each printed page."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    shares = []
    for page in text.stdout.split("\f"):
        numbered = dict(re.findall(r"\b(\d{1,2})\s+([a-z]+)\b", page.split("Procédure")[0]))
        if numbered:
            shares.append(" ".join(numbered[str(n)] for n in range(1, WORDS_PER_SHARE + 1)))
    return shares


@pytest.fixture
def kit(keys: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Path:
    output = tmp_path / "kit.pdf"
    with caplog.at_level(logging.DEBUG):
        recovery_kit_generate(output=output, threshold=2, shares=3)
    words = kit_shares(output)[0].split()[3:]
    assert not any(f"{first} {second}" in caplog.text for first, second in itertools.pairwise(words))
    return output


def test_it_prints_one_readable_french_page_per_holder(kit: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(kit), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    with Image.open(pages[0]) as image:
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 20, "the page is blank"
    text = subprocess.run(["pdftotext", str(kit), "-"], capture_output=True, text=True, check=True).stdout
    fingerprint = master_key_fingerprint(runtime.current_master_key())
    assert "Kit de secours Égide — part n°1 sur 3" in text
    assert "Procédure de reconstitution" in text and fingerprint in text
    assert runtime.current_master_key().key.hex() not in text
    assert (kit.stat().st_mode & 0o077) == 0


def test_it_rebuilds_from_every_pair_and_refuses_one_share_in_french(kit: Path) -> None:
    shares = kit_shares(kit)
    assert len(shares) == 3
    master = runtime.current_master_key()
    for pair in itertools.combinations(shares, 2):
        (runtime.key_dir() / "master.key").unlink()
        recovered = master_key_recover(shares=list(pair))
        assert runtime.current_master_key() == master
        assert recovered.fingerprint == master_key_fingerprint(master)
    (runtime.key_dir() / "master.key").unlink()
    for share in shares:
        with pytest.raises(RecoveryError, match="Parts insuffisantes : il en faut 2") as refused:
            master_key_recover(shares=[share])
        assert share.split()[3] not in str(refused.value)
    assert not (runtime.key_dir() / "master.key").exists()


def test_it_refuses_to_overwrite_an_existing_master_key(kit: Path) -> None:
    before = (runtime.key_dir() / "master.key").read_bytes()
    with pytest.raises(KeyStoreError, match="refuse de la remplacer"):
        master_key_recover(shares=kit_shares(kit)[:2])
    assert (runtime.key_dir() / "master.key").read_bytes() == before


def test_it_brings_back_every_root_version_from_the_kit_and_a_keyring_copy(kit: Path, tmp_path: Path) -> None:
    before_rotation = dict([data_key_create(aad_context="patients.Patient|1")])
    root_key_rotate()  # versions created after the kit was printed
    root_key_rotate()
    after = dict([data_key_create(aad_context="patients.Patient|2")])
    backup = tmp_path / "backup-keyring.wrapped"
    shutil.copy(runtime.keyring_path(), backup)
    journal_backup = tmp_path / "backup-shredding.journal"
    erased, _ = data_key_create(aad_context="patients.Patient|3")
    data_key_destroy(data_key_id=erased)
    shutil.copy(runtime.shredding_journal().path, journal_backup)
    shutil.rmtree(runtime.key_dir())  # the server's disk is lost
    runtime.keyring_forget()

    recovered = master_key_recover(
        shares=kit_shares(kit)[1:], keyring_backup=backup, journal_backup=journal_backup
    )

    assert recovered.versions == (1, 2, 3) and recovered.keyring_copied
    assert runtime.current_keyring().current_version == 3
    for data_keys in (before_rotation, after):
        assert {key_id: data_key_get(data_key_id=key_id) for key_id in data_keys} == data_keys
    assert runtime.shredding_journal().contains(erased)  # erased before the loss, still erased


def test_it_refuses_shares_of_another_installation(kit: Path, tmp_path: Path) -> None:
    shares = kit_shares(kit)[:2]
    shutil.rmtree(runtime.key_dir())
    runtime.key_dir().mkdir(mode=0o700)
    runtime.keys_create()  # a different master key and keyring
    (runtime.key_dir() / "master.key").unlink()

    with pytest.raises(RecoveryError, match="ne reconstituent pas la clé de ce trousseau"):
        master_key_recover(shares=shares)
    assert not (runtime.key_dir() / "master.key").exists()


@pytest.mark.parametrize("place", ["DATA_DIR", "AUDIT_HEADS_DIR"])
def test_it_refuses_to_write_the_kit_where_data_is_copied(
    keys: Path, settings: SettingsWrapper, tmp_path: Path, place: str
) -> None:
    folder = tmp_path / place.lower()
    folder.mkdir()
    setattr(settings, place, folder)
    with pytest.raises(KeyStoreError, match="contient toute la clé maîtresse"):
        recovery_kit_generate(output=folder / "kit.pdf")
    assert not (folder / "kit.pdf").exists()


def test_after_losing_the_key_directory_it_asks_for_the_shredding_journal(kit: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup-keyring.wrapped"
    shutil.copy(runtime.keyring_path(), backup)
    shutil.rmtree(runtime.key_dir())  # the server's disk is lost, journal included
    runtime.keyring_forget()
    with pytest.raises(KeyStoreError, match="--journal CHEMIN"):
        master_key_recover(shares=kit_shares(kit)[:2], keyring_backup=backup)
    assert not runtime.key_dir().exists() or not runtime.keyring_path().exists()
    recovered = master_key_recover(shares=kit_shares(kit)[:2], keyring_backup=backup, without_journal=True)
    assert recovered.keyring_copied
