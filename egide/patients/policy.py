"""Who may see what of a patient (DESIGN.md "Access control"): deny by default.

A first version for the vault; the access-control issue extends it (break-the-glass,
time-boxed access) and makes it the one module every part asks.
"""

from __future__ import annotations

from egide.accounts.models import Role, User
from egide.patients.models import Patient

IDENTITY_ROLES = frozenset({Role.PRATICIEN, Role.SECRETARIAT})


def can_manage_identities(user: User) -> bool:
    """Create, search and read identities: practitioners and the secretariat. Never DPO or admin."""
    return bool(user.role_set() & IDENTITY_ROLES)


def can_see_identity(user: User, patient: Patient) -> bool:
    return patient.practice_id == user.practice_id and can_manage_identities(user)


def can_see_clinical(user: User, patient: Patient) -> bool:
    """Notes and documents: a practitioner of the patient's care team, nobody else."""
    return (
        patient.practice_id == user.practice_id
        and Role.PRATICIEN in user.role_set()
        and patient.care_team.filter(practitioner=user).exists()
    )


def can_shred(user: User) -> bool:
    """Crypto-shredding is decided by the DPO (accepted erasure); purges run as the worker."""
    return Role.DPO in user.role_set()
