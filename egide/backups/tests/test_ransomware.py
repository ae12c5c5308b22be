"""Done when of issue 6, the ransomware scenario, with real components only: an installation backs
up to a local restic repository and to an append-only REST server (rclone); an attacker holding
the server's own account and the repository password cannot delete or overwrite snapshots there,
then encrypts every file of the data directory, the key directory and the local destination. From
the printed recovery kit's shares alone, the operator gets everything back from the append-only
destination: patients, documents byte for byte, and a journal that `egide audit verify` accepts."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

from egide.backups.tests.restore_operator import (
    REST_PASSWORD,
    REST_USER,
    Operator,
    backup_all,
    destinations_add,
    installation,
    overwrite_with_random_bytes,
    rclone_append_only_server,
    read_back,
    seed_patients,
)
from egide.crypto.tests.test_recovery_kit import kit_shares

SEEDS = [
    {
        "name": "Garance-Ransom",
        "first": "Odile",
        "note": "Asthme sévère, suivi trimestriel.",
        "document": "Compte rendu : spirométrie normale après traitement.\n",
    },
    {
        "name": "Vautrin-Ransom",
        "first": "Jules",
        "note": "Diabète de type 2, HbA1c 7,2 %.",
        "document": "Ordonnance : metformine 1000 mg matin et soir.\n",
    },
]


def _attacker_restic(location: str, password: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(cwd),
        "RESTIC_REPOSITORY": location,
        "RESTIC_PASSWORD": password,
        "RESTIC_CACHE_DIR": str(cwd / "cache"),
    }
    return subprocess.run(
        ["restic", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _http(method: str, url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, method=method)
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, REST_USER, REST_PASSWORD)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(manager))
    try:
        with opener.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_it_restores_everything_from_the_append_only_server_with_the_kit_alone(tmp_path: Path) -> None:
    with rclone_append_only_server(tmp_path / "serveur-distant") as server:
        # 1. The practice at work: patients, notes, documents, two destinations, a backup.
        live = installation(tmp_path / "cabinet")
        patients = seed_patients(live, SEEDS)
        local_repository = tmp_path / "disque-usb" / "egide"
        destinations_add(
            live,
            [
                ("disque-usb", "local", str(local_repository), False),
                ("distant", "rest", server.location, True),
            ],
        )
        live.egide("keys", "recovery-kit", "--output", str(tmp_path / "kit.pdf"))
        shares = kit_shares(tmp_path / "kit.pdf")
        snapshots = backup_all(live)
        password = live.python(
            "from egide.backups.passwords import current_repository_password\n"
            "result = current_repository_password('distant')"
        )

        # 2. The attacker, with the server's account and the repository password, tries to
        #    destroy the backups on the append-only server: refused.
        attacker = tmp_path / "attaquant"
        attacker.mkdir()
        forget = _attacker_restic(
            server.location, password, "forget", snapshots["distant"], "--prune", cwd=attacker
        )
        assert forget.returncode != 0
        snapshot_file = f"{server.base_url}snapshots/{snapshots['distant']}"
        assert _http("DELETE", snapshot_file) == 403
        assert _http("POST", snapshot_file, data=b"chiffre par le rancongiciel") in {403, 409}
        assert _http("DELETE", f"{server.base_url}config") == 403
        listed = _attacker_restic(server.location, password, "snapshots", "--json", cwd=attacker)
        assert snapshots["distant"] in listed.stdout

        # 3. Then it encrypts everything it can reach on the practice's server.
        encrypted = overwrite_with_random_bytes(
            live.data_dir, live.key_dir, live.root / "audit-heads", local_repository
        )
        assert encrypted > 10

        # 4. The operator, on a clean machine, with two kit shares on paper.
        share_files = []
        for number in (1, 3):
            share_file = tmp_path / f"part-{number}.txt"
            share_file.write_text(shares[number - 1], encoding="utf-8")
            share_files += ["--share-file", str(share_file)]
        rebuilt = tmp_path / "reconstruction"
        scratch = Operator(rebuilt / "provisoire", EGIDE_KEY_DIR=str(rebuilt / "keys"))
        scratch.data_dir.mkdir(mode=0o700, parents=True)
        scratch.egide("manage", "migrate", "--noinput")
        from_backup = rebuilt / "depuis-la-sauvegarde"
        extracted = scratch.egide(
            "restore",
            "--from",
            server.location,
            "--nom",
            "distant",
            "--extraire-cles",
            str(from_backup),
            *share_files,
        )
        assert "egide keys recover" in extracted.stdout
        scratch.egide(
            "keys",
            "recover",
            *share_files,
            "--keyring",
            str(from_backup / "keyring.wrapped"),
            "--journal",
            str(from_backup / "shredding.journal"),
        )

        restored = Operator(rebuilt / "cabinet", EGIDE_KEY_DIR=str(rebuilt / "keys"))
        result = restored.egide(
            "restore", "--from", server.location, "--nom", "distant", "--target", str(restored.root)
        )
        assert "Restauration terminée" in result.stdout
        assert "Et maintenant" in result.stdout

        # 5. The restored instance: patients, notes, documents byte for byte, a sound journal.
        verify = restored.egide("audit", "verify")
        assert "Journal intègre" in verify.stdout
        back = read_back(restored, patients)
        for expected, found in zip(patients, back, strict=True):
            assert found["erased"] is False
            assert found["name"] == expected["name"]
            assert found["notes"] == [expected["note"]]
            assert found["sha256"] == expected["sha256"]
