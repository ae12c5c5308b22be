from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from egide.access.models import BreakGlassGrant
from egide.access.services import break_glass_open
from egide.accounts.models import Role, User
from egide.accounts.services import user_create
from egide.core.tests.personas import PERSONA_PASSWORD
from egide.patients.services import note_add, patient_create
from egide.patients.vault import Identity

NOTE = "Suspicion de phéochromocytome, bilan urinaire demandé."
REASON = "Patiente inconsciente amenée aux urgences du cabinet, médecin traitant absent."


@pytest.fixture
def patient_id(keys: Path, practitioner: User) -> uuid.UUID:
    """A patient of dr.martin's care team, with a clinical note."""
    identity = Identity(
        birth_name="Vasquez-Orlov", birth_first_names=("Léontine",), birth_date=date(1961, 2, 3), sex="F"
    )
    created = patient_create(actor=practitioner, identity=identity).patient_id
    note_add(actor=practitioner, patient_id=created, text=NOTE)
    return created


@pytest.fixture
def grant(practitioner2: User, patient_id: uuid.UUID) -> BreakGlassGrant:
    return break_glass_open(actor=practitioner2, patient_id=patient_id, reason=REASON)


@pytest.fixture
def practitioner_dpo(practitioner: User) -> User:
    """A practitioner who is also the practice's DPO (roles add up), outside the care team."""
    return user_create(
        practice=practitioner.practice,
        username="dr.dpo",
        password=PERSONA_PASSWORD,
        roles=(Role.PRATICIEN, Role.DPO),
        must_change_password=False,
    )


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client
