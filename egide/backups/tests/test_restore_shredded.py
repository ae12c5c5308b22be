"""Done when of issue 6: a patient crypto-shredded after a snapshot stays unreadable after that
snapshot is restored, whether the erasure is known from the key directory's journal or only from
the newest snapshot of another destination (the key directory was lost)."""

from __future__ import annotations

import shutil
from pathlib import Path

from egide.backups.tests.restore_operator import (
    Operator,
    backup_all,
    destinations_add,
    installation,
    read_back,
    seed_patients,
    shred,
)

SEEDS = [
    {
        "name": "Efface-Apres",
        "first": "Lucie",
        "note": "Demande d'effacement acceptée.",
        "document": "CR 1\n",
    },
    {"name": "Reste-Lisible", "first": "Marc", "note": "Suivi habituel.", "document": "CR 2\n"},
]


def test_it_keeps_a_patient_shredded_after_the_snapshot_erased(tmp_path: Path) -> None:
    live = installation(tmp_path / "cabinet")
    erased, kept = seed_patients(live, SEEDS)
    destinations_add(live, [("disque", "local", str(tmp_path / "disque"), False)])
    backup_all(live)
    shred(live, erased["id"])

    restored = Operator(tmp_path / "restauration", EGIDE_KEY_DIR=str(live.key_dir))
    result = restored.egide(
        "restore", "--from", str(tmp_path / "disque"), "--nom", "disque", "--target", str(restored.root)
    )

    assert "1 patient(s) effacé(s) après cette sauvegarde le restent" in result.stdout
    back = {entry["id"]: entry for entry in read_back(restored, [kept])}
    assert back[kept["id"]]["name"] == "Reste-Lisible"
    erased_back = restored.python(
        "import uuid\nfrom egide.accounts.models import User\n"
        "from egide.patients.selectors import patient_get_for_user\n"
        "user = User.objects.get(username='dr.martin')\n"
        f"record = patient_get_for_user(user=user, patient_id=uuid.UUID({erased['id']!r}))\n"
        "result = [record.identity is None, record.erased_at is not None]\n"
    )
    assert erased_back == [True, True]
    # Its data key is gone from the restored database too, not only hidden by the journal.
    assert (
        restored.python(
            "from egide.crypto.models import WrappedKey\nfrom egide.patients.models import Patient\n"
            f"key = Patient.objects.get(id={erased['id']!r}).data_key_id\n"
            "result = WrappedKey.objects.filter(data_key_id=key).count()"
        )
        == 0
    )
    assert "Journal intègre" in restored.egide("audit", "verify").stdout


def test_it_finds_the_erasure_in_the_newest_snapshot_of_another_destination(tmp_path: Path) -> None:
    live = installation(tmp_path / "cabinet")
    erased, kept = seed_patients(live, SEEDS)
    destinations_add(
        live,
        [
            ("disque-a", "local", str(tmp_path / "disque-a"), False),
            ("disque-b", "local", str(tmp_path / "disque-b"), False),
        ],
    )
    backup_all(live)
    shred(live, erased["id"])
    backup_all(live, "disque-b")  # only disque-b saw the erasure

    # The key directory was lost: the master key and the keyring came back (kit + backup), but
    # the live shredding journal did not.
    keys = tmp_path / "cles-reconstituees"
    keys.mkdir(mode=0o700)
    for name in ("master.key", "keyring.wrapped"):
        shutil.copy2(live.key_dir / name, keys / name)
    restored = Operator(tmp_path / "restauration", EGIDE_KEY_DIR=str(keys))
    result = restored.egide(
        "restore", "--from", str(tmp_path / "disque-a"), "--nom", "disque-a", "--target", str(restored.root)
    )

    assert "Journal d'effacement de « disque-b » fusionné" in result.stdout
    back = restored.python(
        "import uuid\nfrom egide.accounts.models import User\n"
        "from egide.patients.selectors import patient_get_for_user\n"
        "user = User.objects.get(username='dr.martin')\n"
        f"result = [patient_get_for_user(user=user, patient_id=uuid.UUID(i)).identity is None "
        f"for i in ({erased['id']!r}, {kept['id']!r})]\n"
    )
    assert back == [True, False]
