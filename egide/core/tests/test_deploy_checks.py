"""`egide check --deploy`: each insecure configuration is named by its egide.E… id."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.checks import run_checks
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.core.tests.cli import operator_env, run_egide

STRONG_KEY = "kP3v9Qz_rT7wX2mN8bL5cJ1hG4fD6sA0eY-uI3oZ9xW7qV2nB5mK8jH1gF4dS6aL"


@pytest.fixture
def production(settings: SettingsWrapper, tmp_path: Path) -> SettingsWrapper:
    """A correct production configuration; each test breaks one thing."""
    settings.DEBUG = False
    settings.SECRET_KEY = STRONG_KEY
    settings.SECRET_KEY_EPHEMERAL = False
    settings.ALLOWED_HOSTS = ["egide.cabinet-lilas.fr"]
    settings.DATA_DIR = tmp_path / "srv" / "data"
    settings.KEY_DIR = tmp_path / "etc" / "keys"
    settings.KEY_DIR.mkdir(parents=True, mode=0o700)
    (settings.KEY_DIR / "secret_key").write_text(STRONG_KEY)
    (settings.KEY_DIR / "secret_key").chmod(0o600)
    return settings


def egide_errors() -> set[str]:
    ids = (str(message.id) for message in run_checks(include_deployment_checks=True))
    return {check_id for check_id in ids if check_id.startswith("egide.")}


def test_it_reports_nothing_on_a_correct_production_configuration(production: SettingsWrapper) -> None:
    assert egide_errors() == set()


def test_it_names_debug_mode_e001(production: SettingsWrapper) -> None:
    production.DEBUG = True
    assert egide_errors() == {"egide.E001"}


@pytest.mark.parametrize(
    "key", ["django-insecure-" + STRONG_KEY, "changeme", "short-key", "a" * 60, "ab" * 30]
)
def test_it_names_a_weak_or_default_secret_key_e002(production: SettingsWrapper, key: str) -> None:
    production.SECRET_KEY = key
    assert egide_errors() == {"egide.E002"}


def test_it_names_an_ephemeral_secret_key_before_init_e002(production: SettingsWrapper) -> None:
    production.SECRET_KEY_EPHEMERAL = True
    assert egide_errors() == {"egide.E002"}


def test_it_names_a_wildcard_allowed_host_e003(production: SettingsWrapper) -> None:
    production.ALLOWED_HOSTS = ["egide.cabinet-lilas.fr", "*"]
    assert egide_errors() == {"egide.E003"}


def test_it_names_a_key_directory_inside_the_data_directory_e004(production: SettingsWrapper) -> None:
    production.KEY_DIR = production.DATA_DIR / "keys"
    assert egide_errors() == {"egide.E004"}


@pytest.mark.parametrize(("target", "mode"), [("dir", 0o755), ("file", 0o644), ("file", 0o640)])
def test_it_names_key_files_readable_by_others_e005(
    production: SettingsWrapper, target: str, mode: int
) -> None:
    path = production.KEY_DIR if target == "dir" else production.KEY_DIR / "secret_key"
    path.chmod(mode)
    assert egide_errors() == {"egide.E005"}


def test_the_command_passes_on_production_and_fails_on_debug(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700)
    (keys / "secret_key").write_text(STRONG_KEY)
    (keys / "secret_key").chmod(0o600)
    production = operator_env(
        tmp_path, EGIDE_KEY_DIR=str(keys), EGIDE_TLS="1", EGIDE_ALLOWED_HOSTS="egide.cabinet-lilas.fr"
    )
    good = run_egide("check", "--deploy", env=production, cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert "egide.E" not in good.stdout + good.stderr
    bad = run_egide("check", "--deploy", env={**production, "EGIDE_DEBUG": "1"}, cwd=tmp_path)
    assert bad.returncode != 0
    assert "egide.E001" in bad.stderr
    assert "DEBUG est activé" in bad.stderr
