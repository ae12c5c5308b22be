"""`egide restore` as the operator meets it: a dry run that checks and changes nothing, a refusal to
write over the live data directory, `--remplacer` that moves the previous data aside (never deletes
it), and a French pointer to `egide keys recover` when the master key is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.backups.tests.restore_operator import (
    Operator,
    backup_all,
    destinations_add,
    installation,
    read_back,
    seed_patients,
)

Scenario = tuple[Operator, list[dict[str, str]], list[dict[str, str]]]
SEEDS = [{"name": "Avant-Sauvegarde", "first": "Rose", "note": "Note.", "document": "CR\n"}]
LATE = [{"name": "Apres-Sauvegarde", "first": "Paul", "note": "Plus tard.", "document": "CR tardif\n"}]


@pytest.fixture
def backed_up(tmp_path: Path) -> Scenario:
    live = installation(tmp_path / "cabinet")
    before = seed_patients(live, SEEDS)
    destinations_add(live, [("disque", "local", str(tmp_path / "disque"), False)])
    backup_all(live)
    after = seed_patients(live, LATE)
    return live, before, after


def test_it_checks_without_changing_anything_in_a_dry_run(backed_up: Scenario) -> None:
    live, _before, _after = backed_up
    target = live.root.parent / "essai"

    result = live.egide("restore", "--from", "disque", "--target", str(target), "--dry-run")

    assert "Sauvegarde intègre" in result.stdout
    assert "rien n'a été modifié" in result.stdout
    assert "patients_patient : 1 ligne(s)" in result.stdout
    assert not target.exists() or not any(target.iterdir())


def test_it_refuses_to_restore_over_the_live_data_directory(backed_up: Scenario) -> None:
    live, _before, _after = backed_up

    result = live.egide("restore", "--from", "disque", "--target", str(live.root), ok=False)

    assert result.returncode != 0
    assert "ne restaure jamais par-dessus" in result.stderr
    assert "--remplacer" in result.stderr
    assert [path.name for path in live.root.iterdir() if "avant-restauration" in path.name] == []


def test_it_moves_the_live_data_aside_when_asked_to_replace_it(
    backed_up: Scenario,
) -> None:
    live, before, after = backed_up

    result = live.egide("restore", "--from", "disque", "--target", str(live.root), "--remplacer")

    assert "Existant mis de côté" in result.stdout
    aside = sorted(live.root.glob("data.avant-restauration-*"))
    assert len(aside) == 1
    assert (aside[0] / "egide.sqlite3").exists() or live.env.get("EGIDE_DATABASE_URL")
    assert [entry["name"] for entry in read_back(live, before)] == ["Avant-Sauvegarde"]
    # The patient created after the backup is not in the restored data (still in the aside copy).
    missing = live.python(
        "from egide.patients.models import Patient\n"
        f"result = Patient.objects.filter(id={after[0]['id']!r}).exists()"
    )
    assert missing is False


def test_it_says_to_recover_the_master_key_first(backed_up: Scenario, tmp_path: Path) -> None:
    _live, _before, _after = backed_up
    empty_keys = tmp_path / "cles-vides"
    empty_keys.mkdir(mode=0o700)
    stranger = Operator(tmp_path / "nouveau", EGIDE_KEY_DIR=str(empty_keys))

    result = stranger.egide(
        "restore",
        "--from",
        str(tmp_path / "disque"),
        "--nom",
        "disque",
        "--target",
        str(stranger.root),
        ok=False,
    )

    assert result.returncode != 0
    assert "Clé maîtresse absente" in result.stderr
    assert "egide keys recover" in result.stderr
