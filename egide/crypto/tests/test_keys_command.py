"""`egide keys status|rotate|recovery-kit|recover` as the operator reads them: French, and never a
key, a passphrase or a share word in the output, the errors or the logs."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from egide.crypto import prompts, runtime
from egide.crypto.recovery import split_master_key
from egide.crypto.services import data_key_create

pytestmark = pytest.mark.django_db


def _secrets() -> list[str]:
    master = runtime.current_master_key()
    return [master.key.hex(), base64.b64encode(master.key).decode()]


def _shows_words(share: str, text: str) -> bool:
    """Any two consecutive words of the share (the first three identify the kit, not secret)."""
    words = share.split()[3:]
    return any(f"{first} {second}" in text for first, second in itertools.pairwise(words))


def test_it_shows_versions_and_counts(keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_key_create(aad_context="patients.Patient|1")
    call_command("keys", "status")
    out = capsys.readouterr().out
    assert "Clé maîtresse : fichier (master.key)" in out
    assert "État : ouverte · empreinte " in out
    assert "racine n°1 : courante" in out and "1 clé(s) de données" in out
    assert not any(secret in out for secret in _secrets())


def test_it_rotates_with_progress_lines_and_keeps_the_kit(
    keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for number in range(3):
        data_key_create(aad_context=f"patients.Patient|{number}")
    call_command("keys", "rotate", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "Rotation : 2/3 clés re-chiffrées\nRotation : 3/3 clés re-chiffrées" in out
    assert "Rotation terminée : racine n°2 courante, 3 clé(s) re-chiffrée(s)." in out
    assert "Le kit de secours reste valable" in out


def test_it_asks_for_a_new_kit_after_a_master_key_rotation(
    keys: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("keys", "rotate-master")
    out = capsys.readouterr().out
    assert "l'ancien kit de secours n'ouvre plus le trousseau actuel" in out
    assert "egide keys recovery-kit" in out
    assert not any(secret in out for secret in _secrets())


def test_it_never_shows_share_words_when_recovery_fails(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    shares = split_master_key(runtime.current_master_key(), 2, 3)
    (keys / "master.key").unlink()
    share_file = tmp_path / "part1.txt"
    share_file.write_text(shares[0].replace(shares[0].split()[5], "zzzz"))
    with pytest.raises(CommandError) as refused:
        call_command("keys", "recover", "--share-file", str(share_file))
    message = str(refused.value)
    assert "La part n°1 est invalide" in message
    captured = capsys.readouterr()
    assert not _shows_words(shares[0], f"{message} {captured.out} {captured.err} {caplog.text}")


def test_it_recovers_from_share_files_and_says_the_fingerprint(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    secrets = _secrets()
    shares = split_master_key(runtime.current_master_key(), 2, 3)
    (keys / "master.key").unlink()
    files = []
    for number, share in enumerate(shares[:2], start=1):
        files += ["--share-file", str(tmp_path / f"part{number}.txt")]
        (tmp_path / f"part{number}.txt").write_text(share)
    call_command("keys", "recover", *files)
    out = capsys.readouterr().out
    assert (
        "Clé maîtresse reconstituée (empreinte " in out and "versions de clés racines retrouvées : n°1" in out
    )
    assert not any(_shows_words(share, out + caplog.text) for share in shares)
    assert not any(secret in out or secret in caplog.text for secret in secrets)


def test_it_takes_shares_typed_at_the_prompt_until_an_empty_line(
    keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shares = split_master_key(runtime.current_master_key(), 2, 3)
    (keys / "master.key").unlink()
    typed = iter([shares[2].upper(), "  " + shares[0].replace(" ", "\n  ") + " ", ""])
    monkeypatch.setattr(prompts, "_interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))

    call_command("keys", "recover")

    assert "Clé maîtresse reconstituée" in capsys.readouterr().out
    assert (keys / "master.key").exists()


def test_it_refuses_before_asking_for_shares_when_a_master_key_exists(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "_interactive", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("no share should be asked"))
    with pytest.raises(CommandError, match="refuse de la remplacer"):
        call_command("keys", "recover")
