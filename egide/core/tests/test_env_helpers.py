from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from egide.env import env_bool, env_int, env_list, env_path, env_secret, env_str


def test_it_reads_defaults_when_variables_are_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EGIDE_X", raising=False)
    assert env_str("EGIDE_X", "d") == "d"
    assert env_bool("EGIDE_X", True) is True
    assert env_int("EGIDE_X", 7) == 7
    assert env_list("EGIDE_X", ["a"]) == ["a"]
    assert env_secret("EGIDE_X") is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("oui", True), ("TRUE", True), ("0", False), ("non", False)]
)
def test_it_accepts_french_and_english_booleans(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("EGIDE_X", raw)
    assert env_bool("EGIDE_X", not expected) is expected


@pytest.mark.parametrize(
    ("reader", "raw", "fragment"),
    [
        (lambda: env_bool("EGIDE_X", False), "peut-être", "1/0"),
        (lambda: env_int("EGIDE_X", 1), "quinze", "nombre entier"),
        (lambda: env_int("EGIDE_X", 1, minimum=1), "0", "supérieur ou égal à 1"),
        (lambda: env_list("EGIDE_X", []), "a,,b", "sans élément vide"),
        (lambda: env_path("EGIDE_X", Path()), "  ", "vide"),
        (lambda: env_secret("EGIDE_X"), " ", "vide"),
    ],
)
def test_it_refuses_malformed_values_with_a_french_message(
    monkeypatch: pytest.MonkeyPatch, reader: object, raw: str, fragment: str
) -> None:
    monkeypatch.setenv("EGIDE_X", raw)
    with pytest.raises(ImproperlyConfigured, match=fragment):
        reader()  # type: ignore[operator]


def test_it_reads_a_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cr3t\n")
    monkeypatch.setenv("EGIDE_X_FILE", str(secret_file))
    assert env_secret("EGIDE_X") == "s3cr3t"


def test_it_refuses_a_secret_given_twice_or_unreadable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EGIDE_X", "a")
    monkeypatch.setenv("EGIDE_X_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="n'en gardez qu'un"):
        env_secret("EGIDE_X")
    monkeypatch.delenv("EGIDE_X")
    with pytest.raises(ImproperlyConfigured, match="illisible"):
        env_secret("EGIDE_X")
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("EGIDE_X_FILE", str(tmp_path / "empty"))
    with pytest.raises(ImproperlyConfigured, match="vide"):
        env_secret("EGIDE_X")


def test_it_only_reads_egide_variables() -> None:
    with pytest.raises(ImproperlyConfigured, match="EGIDE_"):
        env_str("DATABASE_URL", "")
