"""Sealing and opening a patient's personal fields under the patient's data key.

Each value is an AES-256-GCM envelope whose associated data binds it to its place
(`patients.<Model>|<field>|<record id>`): a ciphertext copied into another column or
another record fails to open instead of showing a wrong value (DESIGN "Cryptography").
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date

from egide.crypto.blind_index import blind_index, prefix_indexes
from egide.crypto.envelope import open_, seal
from egide.crypto.hierarchy import Keyring, Purpose
from egide.patients.models import ENCRYPTED_IDENTITY_FIELDS, Patient

SEXES = ("F", "M", "I")  # INS trait "sexe": féminin, masculin, indéterminé


def display_name(
    birth_name: str, used_name: str, birth_first_names: tuple[str, ...], used_first_name: str
) -> str:
    """How lists and pages name a patient: used name (else birth name) in capitals, then first name."""
    first = used_first_name or (birth_first_names[0] if birth_first_names else "")
    return f"{(used_name or birth_name).upper()} {first}".strip()


@dataclass(frozen=True)
class Identity:
    """A patient's identity in clear, as it exists only in memory."""

    birth_name: str
    birth_first_names: tuple[str, ...]
    birth_date: date
    sex: str
    used_name: str = ""
    used_first_name: str = ""
    birthplace_cog: str = ""
    nir: str = ""
    ins_matricule: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    death_date: date | None = None

    @property
    def display_name(self) -> str:
        return display_name(self.birth_name, self.used_name, self.birth_first_names, self.used_first_name)


def field_aad(model: str, field_name: str, record_id: uuid.UUID) -> bytes:
    return f"patients.{model}|{field_name}|{record_id}".encode()


def _texts(identity: Identity) -> dict[str, str]:
    values = asdict(identity)
    values["birth_first_names"] = json.dumps(list(identity.birth_first_names), ensure_ascii=False)
    values["birth_date"] = identity.birth_date.isoformat()
    values["death_date"] = identity.death_date.isoformat() if identity.death_date else ""
    return {name: str(values[name]) for name in ENCRYPTED_IDENTITY_FIELDS}


def identity_seal(patient_id: uuid.UUID, data_key_id: str, key: bytes, identity: Identity) -> dict[str, str]:
    """The envelopes to store in the Patient row's personal columns."""
    return {
        name: seal(key, data_key_id, text.encode(), field_aad("Patient", name, patient_id))
        for name, text in _texts(identity).items()
    }


def identity_open(patient: Patient, key: bytes) -> Identity:
    """Decrypt every personal column; any tampering raises (crypto fails closed)."""
    keys = {patient.data_key_id: key}
    texts = {
        name: open_(keys, getattr(patient, name), field_aad("Patient", name, patient.id)).decode()
        for name in ENCRYPTED_IDENTITY_FIELDS
    }
    return Identity(
        birth_name=texts["birth_name"],
        birth_first_names=tuple(json.loads(texts["birth_first_names"])),
        birth_date=date.fromisoformat(texts["birth_date"]),
        sex=texts["sex"],
        used_name=texts["used_name"],
        used_first_name=texts["used_first_name"],
        birthplace_cog=texts["birthplace_cog"],
        nir=texts["nir"],
        ins_matricule=texts["ins_matricule"],
        address=texts["address"],
        phone=texts["phone"],
        email=texts["email"],
        death_date=date.fromisoformat(texts["death_date"]) if texts["death_date"] else None,
    )


SUMMARY_FIELDS = ("birth_name", "used_name", "birth_first_names", "used_first_name", "birth_date")


@dataclass(frozen=True)
class Summary:
    """What a list of patients shows: names and birth date, decrypted without the rest."""

    birth_name: str
    used_name: str
    birth_first_names: tuple[str, ...]
    used_first_name: str
    birth_date: date

    @property
    def display_name(self) -> str:
        return display_name(self.birth_name, self.used_name, self.birth_first_names, self.used_first_name)


def summary_open(patient: Patient, key: bytes) -> Summary:
    keys = {patient.data_key_id: key}
    texts = {
        name: open_(keys, getattr(patient, name), field_aad("Patient", name, patient.id)).decode()
        for name in SUMMARY_FIELDS
    }
    return Summary(
        birth_name=texts["birth_name"],
        used_name=texts["used_name"],
        birth_first_names=tuple(json.loads(texts["birth_first_names"])),
        used_first_name=texts["used_first_name"],
        birth_date=date.fromisoformat(texts["birth_date"]),
    )


def text_seal(
    model: str, record_id: uuid.UUID, data_key_id: str, key: bytes, field_name: str, text: str
) -> str:
    return seal(key, data_key_id, text.encode(), field_aad(model, field_name, record_id))


def text_open(
    model: str, record_id: uuid.UUID, data_key_id: str, key: bytes, field_name: str, envelope: str
) -> str:
    return open_({data_key_id: key}, envelope, field_aad(model, field_name, record_id)).decode()


# Blind-index kinds (egide/crypto/blind_index.py documents what they reveal).
KIND_NIR = "nir"
KIND_NAME = "name"  # "<last name> <first name>"
KIND_NAME_DOB = "name_dob"  # "<last name> <first name> <YYYY-MM-DD>"
KIND_LAST_NAME = "last_name"  # prefixes, for type-ahead


def _name_pairs(identity: Identity) -> set[tuple[str, str]]:
    lasts = {name for name in (identity.birth_name, identity.used_name) if name.strip()}
    firsts = {name for name in (*identity.birth_first_names[:1], identity.used_first_name) if name.strip()}
    return {(last, first) for last in lasts for first in firsts}


def identity_indexes(keyring: Keyring, identity: Identity) -> set[str]:
    """The blind indexes to store for a patient, under the current root version."""
    key = keyring.purpose_key(Purpose.BLIND_INDEX)
    indexes: set[str] = set()
    for number in {identity.nir, identity.ins_matricule} - {""}:
        indexes.add(blind_index(key, KIND_NIR, number))
    for last, first in _name_pairs(identity):
        indexes.add(blind_index(key, KIND_NAME, f"{last} {first}"))
        indexes.add(blind_index(key, KIND_NAME_DOB, f"{last} {first} {identity.birth_date.isoformat()}"))
    for last in {identity.birth_name, identity.used_name} - {""}:
        indexes.update(prefix_indexes(key, KIND_LAST_NAME, last))
    return indexes
