"""`egide keys rotate` killed mid-way (SIGKILL after its first progress line) resumes on the next
run and ends with every data key readable under the new root version, the old one retired."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

from egide.core.tests.cli import egide_command, operator_env, run_egide

KEY_COUNT = 1500

CREATE_KEYS = f"""
from egide.crypto.data_keys import new_data_key, new_data_key_id, wrap_data_key
from egide.crypto.models import WrappedKey
from egide.crypto.runtime import current_keyring
keyring = current_keyring()
rows = []
for number in range({KEY_COUNT}):
    key_id, place = new_data_key_id(), f"patients.Patient|{{number}}"
    wrapped = wrap_data_key(keyring, new_data_key(), place.encode(), data_key_id=key_id)
    rows.append(WrappedKey(data_key_id=key_id, wrapped=wrapped, root_version=1, aad_context=place))
WrappedKey.objects.bulk_create(rows)
"""

CHECK_KEYS = """
import json
from egide.crypto.models import WrappedKey
from egide.crypto.runtime import current_keyring
from egide.crypto.services import data_key_get
keyring = current_keyring()
rows = list(WrappedKey.objects.all())
readable = sum(len(data_key_get(data_key_id=row.pk)) == 32 for row in rows)
print(json.dumps({
    "rows": len(rows), "readable": readable,
    "versions": sorted({row.root_version for row in rows}),
    "current": keyring.current_version, "retired": sorted(keyring.retired_versions),
}))
"""

COUNT_OLD = (
    "from egide.crypto.models import WrappedKey; print(WrappedKey.objects.filter(root_version=1).count())"
)


def test_it_resumes_a_rotation_killed_mid_way(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    assert run_egide("init", env=env, cwd=tmp_path).returncode == 0
    created = run_egide("manage", "shell", "-c", CREATE_KEYS, env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr

    rotation = subprocess.Popen(
        egide_command("keys", "rotate", "--batch-size", "2"),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert rotation.stdout is not None
    first_line = rotation.stdout.readline()
    rotation.send_signal(signal.SIGKILL)
    rotation.communicate(timeout=60)
    assert first_line.startswith("Rotation : 2/"), first_line
    left = run_egide("manage", "shell", "-c", COUNT_OLD, env=env, cwd=tmp_path)
    assert 0 < int(left.stdout.split()[-1]) < KEY_COUNT, "the kill must land mid-way"

    resumed = run_egide("keys", "rotate", "--batch-size", "50", env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "Rotation reprise et terminée : racine n°2 courante" in resumed.stdout
    assert "Versions retirées (gardées pour lire les anciennes sauvegardes) : n°1." in resumed.stdout

    checked = run_egide("manage", "shell", "-c", CHECK_KEYS, env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout.splitlines()[-1]) == {
        "rows": KEY_COUNT,
        "readable": KEY_COUNT,
        "versions": [2],
        "current": 2,
        "retired": [1],
    }
    status = run_egide("keys", "status", env=env, cwd=tmp_path)
    assert "racine n°2 : courante" in status.stdout
    assert "racine n°1 : retirée" in status.stdout
    assert "inachevée" not in status.stdout
