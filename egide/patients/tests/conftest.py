from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest

from egide.accounts.models import User
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.services import patient_create
from egide.patients.vault import Identity


def valid_nir(body: str) -> str:
    return body + f"{97 - int(body) % 97:02d}"


@pytest.fixture
def lefevre_identity() -> Identity:
    """Distinctive values: tests look for them in everything Égide writes."""
    nir = valid_nir("2840375056123")
    return Identity(
        birth_name="Lefèvre-D'Arc",
        birth_first_names=("Zéphyrine", "Marie"),
        birth_date=date(1984, 3, 9),
        sex="F",
        used_name="Quintessa",
        birthplace_cog="75056",
        nir=nir,
        ins_matricule=nir,
        address="12 rue des Canaris, 75011 Paris",
        phone="0611223344",
        email="zephyrine.canari@example.org",
    )


@pytest.fixture
def lefevre(keys: Path, practitioner: User, lefevre_identity: Identity) -> uuid.UUID:
    saved = patient_create(
        actor=practitioner, identity=lefevre_identity, ins_oid=InsOid.NIR, identity_status=IdentityStatus.VALI
    )
    return saved.patient_id


@pytest.fixture
def durand(keys: Path, practitioner: User) -> uuid.UUID:
    identity = Identity(
        birth_name="Durand", birth_first_names=("Paul",), birth_date=date(1950, 7, 14), sex="M"
    )
    return patient_create(actor=practitioner, identity=identity).patient_id
