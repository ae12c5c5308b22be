"""Invariant 1: no personal data in clear in anything Égide writes (database, WAL, journal heads,
keys, logs), whatever the encoding. A real installation is driven from the outside and searched."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from egide.core.tests.cli import operator_env, run_egide

CANARIES = {
    "birth_name": "Zqxwvéline",
    "first_name": "Ormuzdine",
    "used_name": "Pétrocoriane",
    "address": "impasse des Ptérodactyles",
    "email": "canari.zqx@example.org",
    "phone": "0699887766",
    "note": "Kvothe-lumière",
}

SCENARIO = """
from datetime import date
from egide.accounts.models import Practice, Role
from egide.accounts.services import user_create
from egide.patients.identifiers import IdentityStatus
from egide.patients.selectors import patient_get_for_user, patient_search
from egide.patients.services import note_add, patient_create, patient_update
from egide.patients.vault import Identity

practice = Practice.objects.get()
doctor = user_create(practice=practice, username="dr.canari", password="Tilleul-7-Lilas-Port!",
                     roles=[Role.PRATICIEN], must_change_password=False)
identity = Identity(birth_name="{birth_name}", birth_first_names=("{first_name}",),
                    birth_date=date(1971, 5, 4), sex="F", address="12 {address}", email="{email}",
                    phone="{phone}")
saved = patient_create(actor=doctor, identity=identity)
patient_update(actor=doctor, patient_id=saved.patient_id,
               identity=Identity(**{{**identity.__dict__, "used_name": "{used_name}"}}),
               identity_status=IdentityStatus.PROV)
note_add(actor=doctor, patient_id=saved.patient_id, text="Symptômes {note} depuis hier")
assert patient_search(user=doctor, query="{birth_name} {first_name}")
record = patient_get_for_user(user=doctor, patient_id=saved.patient_id)
assert record.identity.used_name == "{used_name}"
print("scenario done", saved.patient_id)
"""


def _variants(value: str) -> set[bytes]:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    texts = {value, value.upper(), value.lower(), stripped, stripped.upper(), stripped.lower()}
    return {text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le", "utf-16-be")}


def test_no_canary_in_any_file_or_log_line(tmp_path: Path) -> None:
    env = operator_env(tmp_path, EGIDE_LOG_LEVEL="DEBUG", EGIDE_AUDIT_HEADS_DIR=str(tmp_path / "audit-heads"))
    outputs: list[str] = []
    init = run_egide("init", env=env, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    scenario = run_egide("manage", "shell", "-c", SCENARIO.format(**CANARIES), env=env, cwd=tmp_path)
    assert "scenario done" in scenario.stdout, scenario.stderr
    patient_id = scenario.stdout.split()[-1]
    # The FHIR export is the operator's own file, in clear by design: written outside Égide's
    # directories, then imported back (an idempotent update).
    bundle = tmp_path / "operator" / "export.json"
    bundle.parent.mkdir()
    exported = run_egide(
        "export", patient_id, "--as", "dr.canari", "--output", str(bundle), env=env, cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    assert CANARIES["birth_name"] in bundle.read_text()
    imported = run_egide("import", str(bundle), "--as", "dr.canari", env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    head = run_egide("audit", "head", env=env, cwd=tmp_path)
    assert head.returncode == 0, head.stderr
    outputs += [init.stdout + init.stderr, scenario.stderr, head.stdout + head.stderr]
    outputs += [exported.stderr, imported.stdout + imported.stderr]

    files = [path for path in tmp_path.rglob("*") if path.is_file() and bundle.parent not in path.parents]
    assert any(path.name.startswith("egide.sqlite3") for path in files) or env.get("EGIDE_DATABASE_URL")
    assert any(path.suffix == ".checkpoint" for path in files)
    contents = {path: path.read_bytes() for path in files}
    logs = "\n".join(outputs).encode()
    for field, canary in CANARIES.items():
        for variant in _variants(canary):
            assert variant not in logs, f"{field} dans les journaux"
            for path, content in contents.items():
                assert variant not in content, f"{field} en clair dans {path.relative_to(tmp_path)}"
