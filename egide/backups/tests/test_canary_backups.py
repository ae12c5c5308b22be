"""Done when of issue 6 and invariant 1: canary personal data never appears in clear in the backup
repositories (local and append-only REST), in a snapshot's restored content, nor in a restored
installation, in any common encoding; and no key material travels with them (the master key, the
root keys, Django's secret key, the repositories' passwords, the REST server's account)."""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

from egide.backups.tests.restore_operator import (
    REST_PASSWORD,
    REST_USER,
    Operator,
    backup_all,
    destinations_add,
    installation,
    rclone_append_only_server,
    seed_patients,
)

CANARIES = {
    "name": "Zqxwsauvegardine",
    "first": "Ormuzdette",
    "nir": "271057505612345",
    "address": "impasse des Ptérosauvegardes",
    "note": "Kvothe-sauvegarde-lumière",
    "document": "Compte rendu Quetzalsauvegarde : tumeur bénigne.\n",
}
DOCUMENT_CANARY = "Quetzalsauvegarde"

SECRETS = """
import base64, pathlib
from django.conf import settings
from egide.backups.models import Destination
from egide.backups.passwords import current_repository_password
from egide.crypto import runtime
master = runtime.current_master_key().key
keyring = runtime.current_keyring()
result = {
    "master": base64.b64encode(master).decode(),
    "roots": [base64.b64encode(keyring._roots[v]).decode() for v in keyring.versions],
    "secret_key": pathlib.Path(settings.SECRET_KEY_FILE).read_text().strip(),
    "passwords": [current_repository_password(d.name) for d in Destination.objects.all()],
}
"""

RESTIC_RESTORE = """
import pathlib
from egide.backups.models import Destination
from egide.backups.passwords import current_repository_password
from egide.backups.restic import Repository
destination = Destination.objects.get(name={name!r})
Repository(destination.restic_location(), current_repository_password(destination.name),
           destination.restic_env()).restore("latest", pathlib.Path({target!r}))
result = True
"""


def _text_variants(value: str) -> set[bytes]:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))
    texts = {value, value.upper(), value.lower(), stripped, stripped.upper(), stripped.lower()}
    encoded = {text.encode(encoding) for text in texts for encoding in ("utf-8", "utf-16-le", "utf-16-be")}
    return encoded | {variant for text in texts for variant in _base64_variants(text.encode("utf-8"))}


def _base64_variants(raw: bytes) -> set[bytes]:
    """The canary's base64 whatever its offset in the encoded stream (the stable middle part)."""
    variants = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).rstrip(b"=")
        start = 4 if shift else 0
        variants.add(encoded[start:-4] if len(encoded) > start + 8 else encoded)
    return variants


def _key_variants(raw: bytes) -> set[bytes]:
    return {raw, raw.hex().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")}


def _files(*directories: Path) -> list[Path]:
    files = [path for directory in directories for path in directory.rglob("*") if path.is_file()]
    assert files
    return files


def test_no_canary_or_key_material_in_repositories_snapshots_or_restores(tmp_path: Path) -> None:
    with rclone_append_only_server(tmp_path / "serveur-distant") as server:
        live = installation(tmp_path / "cabinet")
        seed_patients(live, [CANARIES])
        credentials = live.key_dir / "backup-credentials"
        credentials.mkdir(mode=0o700)
        (credentials / "distant.env").write_text(
            f"RESTIC_REST_USERNAME={REST_USER}\nRESTIC_REST_PASSWORD={REST_PASSWORD}\n", encoding="utf-8"
        )
        local = tmp_path / "disque-usb"
        destinations_add(
            live,
            [
                ("disque-usb", "local", str(local), False),
                ("distant", "rest", f"rest:{server.base_url}", True),
            ],
        )
        backup_all(live)
        secrets = live.python(SECRETS)
        raw_snapshot = tmp_path / "instantane-brut"
        live.python(RESTIC_RESTORE.format(name="distant", target=str(raw_snapshot)))
        restored = Operator(tmp_path / "restauration", EGIDE_KEY_DIR=str(live.key_dir))
        restored.egide(
            "restore",
            "--from",
            str(local),
            "--nom",
            "disque-usb",
            "--target",
            str(restored.root),
        )

        forbidden: dict[bytes, str] = {}
        for field, value in CANARIES.items():
            for variant in _text_variants(value):
                forbidden[variant] = f"canari {field}"
        for variant in _text_variants(DOCUMENT_CANARY):
            forbidden[variant] = "contenu du document"
        for variant in _key_variants(base64.b64decode(secrets["master"])):
            forbidden[variant] = "clé maîtresse"
        for root in secrets["roots"]:
            for variant in _key_variants(base64.b64decode(root)):
                forbidden[variant] = "clé racine"
        forbidden[secrets["secret_key"].encode()] = "clé secrète de Django"
        for password in secrets["passwords"]:
            forbidden[password.encode()] = "mot de passe restic"
        forbidden[REST_PASSWORD.encode()] = "compte du serveur de sauvegarde"

        scanned = _files(
            local, server.directory, raw_snapshot, restored.root / "data", restored.root / "audit-heads"
        )
        found = []
        for path in scanned:
            content = path.read_bytes()
            found += [f"{what} dans {path}" for needle, what in forbidden.items() if needle in content]
        assert found == []
        # The scan looked at what matters: the database, the blobs and the keyring were there.
        names = {path.name for path in scanned}
        assert {"egide.sqlite3", "keyring.wrapped", "manifest.json"} <= names or "egide.pgdump" in names
