"""Data for bench/bench_vault.py: synthetic identities, FHIR bundles, bulk-filled patients, and the
"encryption replaced by identity" switch. Imported only once Django is set up.

Every value is invented (Faker fr_FR pools, NIRs with a valid key as the demo builds them).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.text import slugify
from faker import Faker

from egide.core.demo_patients import BIRTHPLACES, demo_nir, demo_note
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.vault import Identity


@dataclass(frozen=True)
class Pools:
    """Value pools drawn from Faker once: drawing from them is fast enough for 100 000 patients."""

    last_names: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[str, ...]
    phones: tuple[str, ...]


def pools_make(seed: int) -> Pools:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return Pools(
        last_names=tuple(fake.last_name() for _ in range(3000)),
        female=tuple(fake.first_name_female() for _ in range(800)),
        male=tuple(fake.first_name_male() for _ in range(800)),
        streets=tuple(fake.street_address() for _ in range(500)),
        towns=tuple(f"{fake.postcode()} {fake.city()}" for _ in range(500)),
        phones=tuple(fake.phone_number() for _ in range(500)),
    )


def identity_make(pools: Pools, rng: random.Random) -> tuple[Identity, IdentityStatus]:
    """An identity shaped like the demo's (egide/core/demo_patients.py), from the pools."""
    sex = rng.choice("FM")
    firsts = pools.female if sex == "F" else pools.male
    first, second = rng.choice(firsts), rng.choice(firsts)
    birth = date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 88))
    birthplace = rng.choice(BIRTHPLACES)
    nir = demo_nir(rng, sex, birth, birthplace)
    status = rng.choice([IdentityStatus.PROV, IdentityStatus.VALI, IdentityStatus.QUAL, IdentityStatus.QUAL])
    last = rng.choice(pools.last_names)
    identity = Identity(
        birth_name=last,
        birth_first_names=(first, second),
        birth_date=birth,
        sex=sex,
        used_name=rng.choice(pools.last_names) if sex == "F" and rng.random() < 0.3 else "",
        birthplace_cog=birthplace,
        nir=nir,
        ins_matricule=nir if status is IdentityStatus.QUAL else "",
        address=f"{rng.choice(pools.streets)}\n{rng.choice(pools.towns)}",
        phone=rng.choice(pools.phones),
        email=f"{slugify(first)}.{slugify(last)}@example.org",
    )
    return identity, status


def bundle_make(pools: Pools, rng: random.Random, count: int, notes: int) -> tuple[bytes, list[Identity]]:
    """A FHIR Bundle of ``count`` Patients with ``notes`` Observations each, built by Égide's own
    export mapping (egide/patients/fhir.py), as JSON bytes; and the identities it holds."""
    from egide.patients.fhir import note_resource, patient_reference, patient_resource
    from egide.patients.selectors import NoteView, PatientRecord

    entries: list[dict[str, Any]] = []
    identities: list[Identity] = []
    today = date.today()
    for _ in range(count):
        identity, status = identity_make(pools, rng)
        identities.append(identity)
        patient_id = uuid.uuid4()
        ins_oid = InsOid.DEMO.value if identity.ins_matricule else ""
        record = PatientRecord(patient_id, identity, None, status.value, ins_oid, None, True)
        entries.append(
            {"fullUrl": patient_reference(patient_id), "resource": patient_resource(record, identity)}
        )
        for _note in range(notes):
            written = today - timedelta(days=rng.randint(0, 3650))
            note = NoteView(uuid.uuid4(), written, "Dr Banc", demo_note(rng))
            entries.append({"fullUrl": f"urn:uuid:{note.id}", "resource": note_resource(note, patient_id)})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return json.dumps(bundle, ensure_ascii=False).encode(), identities


Sealed = tuple[uuid.UUID, str, str, str, dict[str, str], list[str], bool]


def _seal_chunk(identities: list[Identity]) -> list[Sealed]:
    """In a worker: what ``patient_create`` computes for each identity (no database access)."""
    from egide.crypto.data_keys import new_data_key, new_data_key_id, wrap_data_key
    from egide.crypto.runtime import current_keyring
    from egide.patients.vault import identity_indexes, identity_seal

    keyring = current_keyring()
    sealed: list[Sealed] = []
    for identity in identities:
        patient_id, data_key_id, key = uuid.uuid4(), new_data_key_id(), new_data_key()
        context = f"patients.Patient|{patient_id}"
        wrapped = wrap_data_key(keyring, key, context.encode(), data_key_id=data_key_id)
        fields = identity_seal(patient_id, data_key_id, key, identity)
        indexes = sorted(identity_indexes(keyring, identity))
        sealed.append(
            (patient_id, data_key_id, wrapped, context, fields, indexes, bool(identity.ins_matricule))
        )
    return sealed


def patients_fill(
    practice_id: uuid.UUID,
    identities: list[Identity],
    chunk: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert one patient per identity, encrypted and indexed exactly as ``patient_create`` does (a
    wrapped data key, sealed fields, blind indexes under the live root version), without the
    validation, care team and audit event. The encryption runs in one worker per core, the inserts
    in this process (the index rows through the cursor). Returns the number of index rows written."""
    import multiprocessing

    from django.db import connection, connections, transaction

    from egide.crypto.models import WrappedKey
    from egide.crypto.runtime import current_keyring
    from egide.patients.models import Patient, PatientIndex

    version = current_keyring().current_version
    table = PatientIndex._meta.db_table
    uuid_field = Patient._meta.get_field("id")
    practice = uuid_field.get_db_prep_save(practice_id, connection)
    insert = (
        f"INSERT INTO {table} (patient_id, practice_id, value, root_version) "  # noqa: S608  # bench table
        "VALUES (%s, %s, %s, %s)"
    )
    chunks = [identities[start : start + chunk] for start in range(0, len(identities), chunk)]
    connections.close_all()  # the workers are forked: they must not share this connection
    written = done = 0
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        for sealed in pool.imap(_seal_chunk, chunks):
            rows = [
                (uuid_field.get_db_prep_save(patient_id, connection), practice, value, version)
                for patient_id, _key_id, _wrapped, _context, _fields, indexes, _qualified in sealed
                for value in indexes
            ]
            with transaction.atomic():
                WrappedKey.objects.bulk_create(
                    WrappedKey(data_key_id=key_id, wrapped=wrapped, root_version=version, aad_context=context)
                    for _id, key_id, wrapped, context, _fields, _indexes, _qualified in sealed
                )
                Patient.objects.bulk_create(
                    Patient(
                        id=patient_id,
                        practice_id=practice_id,
                        data_key_id=key_id,
                        ins_oid=InsOid.DEMO.value if qualified else "",
                        identity_status=IdentityStatus.QUAL if qualified else IdentityStatus.PROV,
                        **fields,
                    )
                    for patient_id, key_id, _wrapped, _context, fields, _indexes, qualified in sealed
                )
                with connection.cursor() as cursor:
                    cursor.executemany(insert, rows)
            done += len(sealed)
            written += len(rows)
            if progress is not None:
                progress(done)
    return written


def _plain_seal(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> str:
    return plaintext.decode()


def _plain_open(keys: object, envelope: str, aad: bytes) -> bytes:
    return envelope.encode()


def _plain_wrap(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> str:
    return plaintext.hex()  # a data key is 32 random bytes: hex keeps it a text column


def _plain_unwrap(keys: object, envelope: str, aad: bytes) -> bytes:
    return bytes.fromhex(envelope)


@contextmanager
def encryption_off() -> Iterator[None]:
    """In this process only: the vault's field envelopes and the data-key wrapping become
    pass-through (the names ``vault`` and ``data_keys`` imported from ``envelope``). Everything
    else (blind-index HMACs, key lookups, queries, audit) stays as it is."""
    from egide.crypto import data_keys
    from egide.patients import vault

    replacements = [
        (vault, "seal", _plain_seal),
        (vault, "open_", _plain_open),
        (data_keys, "seal", _plain_wrap),
        (data_keys, "open_", _plain_unwrap),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _plain in replacements]
    for module, name, plain in replacements:
        setattr(module, name, plain)
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
