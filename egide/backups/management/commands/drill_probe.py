"""Run by the restore drill inside the throwaway instance: open the keyring with the current
master key, decrypt a random sample of patients and documents, count every table and compare
with the snapshot's manifest. Prints one JSON line; writes nothing (no audit event either: the
instance is thrown away and its journal must stay as backed up for `egide audit verify`)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import tink
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from egide.backups.staging import Manifest
from egide.crypto import runtime
from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.services import data_key_get
from egide.patients.documents import document_plaintext_size
from egide.patients.models import Document, Patient
from egide.patients.vault import identity_open


class Command(BaseCommand):
    help = (
        "Usage interne de l'exercice de restauration : ouvre l'instance restaurée et la compare au manifeste."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sample", type=int, default=25)
        parser.add_argument("--manifest", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        runtime.current_keyring()  # raises, in French, if the master key does not open it
        manifest = Manifest.load(options["manifest"])
        problems += counts_compare(dict(manifest.counts))
        patients, erased = patients_open(options["sample"], problems)
        documents = documents_open(options["sample"], problems)
        self.stdout.write(
            json.dumps({"patients": patients, "erased": erased, "documents": documents, "problems": problems})
        )


def counts_compare(expected: dict[str, int]) -> list[str]:
    problems = []
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, count in sorted(expected.items()):
            if table not in tables:
                problems.append(f"table {table} absente")
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - known table
            found = cursor.fetchone()[0]
            if found != count:
                problems.append(f"table {table} : {found} ligne(s) au lieu de {count}")
    return problems


def _sample(ids: list[Any], size: int) -> list[Any]:
    return random.sample(ids, min(size, len(ids)))


def patients_open(size: int, problems: list[str]) -> tuple[int, int]:
    ids = list(Patient.objects.filter(erased_at__isnull=True).values_list("id", flat=True))
    opened = erased = 0
    for patient in Patient.objects.filter(id__in=_sample(ids, size)):
        try:
            identity_open(patient, data_key_get(data_key_id=patient.data_key_id))
        except ShreddedKeyError:
            erased += 1  # erased after the snapshot: the journal wins, as it must
        except CryptoError:
            problems.append(f"patient {patient.id} indéchiffrable")
        else:
            opened += 1
    return opened, erased


def documents_open(size: int, problems: list[str]) -> int:
    ids = list(Document.objects.filter(patient__erased_at__isnull=True).values_list("id", flat=True))
    opened = 0
    for document in Document.objects.filter(id__in=_sample(ids, size)).select_related("patient"):
        patient = document.patient
        try:
            key = data_key_get(data_key_id=patient.data_key_id)
        except ShreddedKeyError:
            continue
        try:
            size_read = document_plaintext_size(document=document, data_key_id=patient.data_key_id, key=key)
        except (CryptoError, tink.TinkError, OSError):
            problems.append(f"document {document.id} indéchiffrable ou absent")
            continue
        if size_read != document.size:
            problems.append(f"document {document.id} : {size_read} octets au lieu de {document.size}")
        else:
            opened += 1
    return opened
