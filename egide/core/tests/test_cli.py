"""The `egide` command as an operator uses it."""

from __future__ import annotations

import stat
from pathlib import Path

from egide.core.tests.cli import operator_env, run_egide


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_explains_its_verbs_in_french(tmp_path: Path) -> None:
    result = run_egide("--help", env=operator_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0
    for verb in ("init", "demo", "serve", "worker", "check", "manage"):
        assert f"\n  {verb} " in result.stdout
    assert "protection des données de santé" in result.stdout
    serve_help = run_egide("serve", "--help", env=operator_env(tmp_path), cwd=tmp_path)
    assert "Sert l'interface web" in serve_help.stdout
    assert "--port" in serve_help.stdout


def test_it_refuses_an_unknown_verb(tmp_path: Path) -> None:
    result = run_egide("sauvegarder-tout", env=operator_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "verbe inconnu « sauvegarder-tout »" in result.stderr


def test_init_creates_private_directories_and_is_safe_to_run_again(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    first = run_egide("init", "--practice-name", "Cabinet des Lilas", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Cabinet « Cabinet des Lilas » créé." in first.stdout
    assert "mot de passe :" in first.stdout
    data, keys = tmp_path / "data", tmp_path / "keys"
    assert mode(data) == 0o700 and mode(keys) == 0o700
    assert mode(keys / "secret_key") == 0o600
    assert all(mode(path) & 0o077 == 0 for path in data.iterdir())
    secret = (keys / "secret_key").read_text()

    again = run_egide("init", "--practice-name", "Autre nom", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Le cabinet existe déjà" in again.stdout
    assert "mot de passe" not in again.stdout
    assert (keys / "secret_key").read_text() == secret


def test_init_refuses_a_wrong_siren_in_french_and_creates_no_account(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    result = run_egide("init", "--siren", "123456789", env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "SIREN" in result.stderr
    assert "Traceback" not in result.stderr
    retry = run_egide("init", "--siren", "732829320", env=env, cwd=tmp_path)
    assert "créé" in retry.stdout


def test_serve_refuses_to_start_before_init(tmp_path: Path) -> None:
    result = run_egide("serve", "--port", "8999", env=operator_env(tmp_path), cwd=tmp_path)
    assert result.returncode != 0
    assert "lancez d'abord « egide init »" in result.stderr
