"""`egide audit …` as an operator runs it, in its own installation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from egide.core.tests.cli import operator_env, run_egide


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    root = tmp_path_factory.mktemp("audit-cli")
    env = operator_env(root)
    assert run_egide("init", env=env, cwd=root).returncode == 0
    return env, root


def egide(installation: tuple[dict[str, str], Path], *args: str) -> tuple[int, str]:
    env, root = installation
    done = run_egide(*args, env=env, cwd=root)
    return done.returncode, done.stdout + done.stderr


def test_it_verifies_signs_and_proves(installation: tuple[dict[str, str], Path]) -> None:
    code, out = egide(installation, "audit", "verify")
    assert (code, "Journal intègre" in out) == (0, True), out
    code, out = egide(installation, "audit", "head")  # the verification run is an event
    assert code == 0, out
    assert "\u2014 egide-audit-v1 " in out
    code, out = egide(installation, "audit", "verify")
    assert code == 0, out
    assert "têtes exportées vérifiées" in out
    assert re.search(r"Vérification : (\d+)/\1 feuilles \(100 %\)", out)  # progress, on stderr
    code, first = egide(
        installation,
        "manage",
        "shell",
        "-c",
        "from egide.audit.models import Leaf; print(Leaf.objects.get(leaf_index=0).event_id)",
    )
    code, out = egide(installation, "audit", "prove", first.strip().splitlines()[-1])
    assert (code, "Preuve d'inclusion vérifiée." in out) == (0, True), out
    code, out = egide(installation, "audit", "consistency", "1", "2")
    assert (code, "Preuve de cohérence vérifiée." in out) == (0, True), out


def test_it_fails_and_names_a_forged_exported_head(installation: tuple[dict[str, str], Path]) -> None:
    egide(installation, "audit", "head")
    _, root = installation
    heads = sorted((root / "audit-heads").glob("*.checkpoint"))
    assert heads
    text = heads[0].read_text()
    origin, size, rest = text.split("\n", 2)
    heads[0].write_text(f"{origin}\n{int(size) + 1}\n{rest}")  # claims one more event
    code, out = egide(installation, "audit", "verify", "--from-heads", str(root / "audit-heads"))
    assert code != 0
    assert f"La tête exportée {heads[0].name} est invalide" in out
    heads[0].write_text(text)


def test_it_says_an_unknown_event_is_not_in_the_tree(installation: tuple[dict[str, str], Path]) -> None:
    code, out = egide(installation, "audit", "prove", "987654")
    assert code != 0
    assert "Événement n°987654 introuvable" in out


def test_it_refuses_to_flush_the_journal(installation: tuple[dict[str, str], Path]) -> None:
    code, out = egide(installation, "manage", "flush", "--no-input")
    assert code != 0
    assert "Le journal d'audit est en ajout seul : « flush » est refusé." in out
