"""Request and response bodies: English field names mirroring the vault's ``Identity``."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime

from ninja import Schema

from egide.patients.identifiers import IdentityStatus
from egide.patients.vault import Identity


class IdentityOut(Schema):
    birth_name: str
    birth_first_names: list[str]
    birth_date: date
    sex: str
    used_name: str
    used_first_name: str
    birthplace_cog: str
    nir: str
    ins_matricule: str
    address: str
    phone: str
    email: str
    death_date: date | None

    @classmethod
    def of(cls, identity: Identity) -> IdentityOut:
        return cls(**{**asdict(identity), "birth_first_names": list(identity.birth_first_names)})


class PatientIn(Schema):
    """A patient's whole identity (create, or replace on PUT), with its INS authority and status."""

    birth_name: str
    birth_first_names: list[str]
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
    ins_oid: str = ""
    identity_status: IdentityStatus = IdentityStatus.PROV

    def identity(self) -> Identity:
        fields = self.dict(exclude={"ins_oid", "identity_status"})
        return Identity(**{**fields, "birth_first_names": tuple(self.birth_first_names)})


class SavedOut(Schema):
    id: uuid.UUID
    warnings: list[str]


class PatientOut(Schema):
    id: uuid.UUID
    identity: IdentityOut | None  # null once the patient was erased (crypto-shredded)
    erased_at: datetime | None
    identity_status: str
    ins_oid: str
    last_visit_date: date | None


class SearchIn(Schema):
    """A NIR or INS, "name first-name [dd/mm/yyyy]", or the start of a name: in the body, never in a URL."""

    q: str


class SearchHitOut(Schema):
    id: uuid.UUID
    display_name: str
    birth_date: date


class NoteIn(Schema):
    text: str
    written_on: date | None = None


class NoteOut(Schema):
    id: uuid.UUID
    written_on: date
    author_label: str
    text: str


class CreatedOut(Schema):
    id: uuid.UUID


class DocumentOut(Schema):
    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail
