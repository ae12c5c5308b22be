"""Invariant 1 for documents: neither the content nor the name of a document appears in clear in
any file of a real installation (database, WAL, blobs, temporary files) or its logs."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from egide.core.tests.cli import operator_env, run_egide

CONTENT_CANARY = "Ordonnance-Xylophène pour Quasimodine"
NAME_CANARY = "Bérénicothèque"

SCENARIO = """
import io
from datetime import date
from egide.accounts.models import Practice, Role
from egide.accounts.services import user_create
from egide.patients.documents import document_add, document_list_for_user, document_open_for_user
from egide.patients.services import patient_create
from egide.patients.vault import Identity

practice = Practice.objects.get()
doctor = user_create(practice=practice, username="dr.canari", password="Tilleul-7-Lilas-Port!",
                     roles=[Role.PRATICIEN], must_change_password=False)
identity = Identity(birth_name="Durand", birth_first_names=("Paul",), birth_date=date(1950, 7, 14), sex="M")
patient_id = patient_create(actor=doctor, identity=identity).patient_id
content = ("{content}\\n" * 50000).encode()
document_id = document_add(actor=doctor, patient_id=patient_id, filename="{name}.txt",
                           upload=io.BytesIO(content))
assert document_list_for_user(user=doctor, patient_id=patient_id)[0].filename == "{name}.txt"
opened = document_open_for_user(user=doctor, patient_id=patient_id, document_id=document_id)
with opened.stream as stream:
    assert stream.read() == content
print("scenario done", document_id)
"""


def _variants(value: str) -> set[bytes]:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    texts = {value, value.upper(), value.lower(), stripped, stripped.upper(), stripped.lower()}
    return {text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le", "utf-16-be")}


def test_it_leaves_no_document_content_or_name_in_clear(tmp_path: Path) -> None:
    env = operator_env(tmp_path, EGIDE_LOG_LEVEL="DEBUG", EGIDE_AUDIT_HEADS_DIR=str(tmp_path / "audit-heads"))
    init = run_egide("init", env=env, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    scenario = run_egide(
        "manage",
        "shell",
        "-c",
        SCENARIO.format(content=CONTENT_CANARY, name=NAME_CANARY),
        env=env,
        cwd=tmp_path,
    )
    assert "scenario done" in scenario.stdout, scenario.stderr

    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    blobs = [path for path in files if path.parent.name == "blobs"]
    assert len(blobs) == 1
    assert blobs[0].stat().st_mode & 0o777 == 0o600
    assert blobs[0].parent.stat().st_mode & 0o777 == 0o700
    contents = {path: path.read_bytes() for path in files}
    logs = (init.stdout + init.stderr + scenario.stderr).encode()
    for canary in (CONTENT_CANARY, NAME_CANARY):
        for variant in _variants(canary):
            assert variant not in logs, "canari dans les journaux"
            for path, content in contents.items():
                assert variant not in content, f"canari en clair dans {path.relative_to(tmp_path)}"
