"""Who may see what of a patient: the one module every part asks (DESIGN.md "Access control").

Deny by default. Views, the API, the CLI (import, export) and jobs never decide: they call
``patient_for`` (fetch and authorise in one call) or one of the predicates below.

| role | identity, administration | notes, documents | trail (who accessed) | care team |
|---|---|---|---|---|
| ``praticien`` in the patient's care team | yes | yes | yes | adds colleagues |
| ``praticien`` outside the care team | through break-the-glass only | idem | no | no |
| ``secretariat`` | yes, every patient of the practice | never | no | adds practitioners |
| ``dpo`` | name and birth date on the trail only | never | yes | no |
| ``admin`` | never | never | never | no |

The trail is the care team's and the DPO's: the DPO answers patients' access requests and reviews
break-the-glass, and the names of staff and actions are not clinical content. A break-the-glass
grant never extends the care team: that would turn a time-boxed access into a lasting one.

Roles add up (a practitioner who is also DPO has both rows). Another practice never sees
anything, whatever the role. Searching the practice's patients (names and birth dates in the
results, each one traced) stays open to practitioners and the secretariat: a practitioner must
find a patient to create them without a duplicate, or to break the glass.

Break-the-glass: any practitioner of the patient's practice who is not in the care team may open
the record for EGIDE_BREAK_GLASS_HOURS with a typed reason and a fresh re-authentication
(``egide.access.services.break_glass_open``); the grant then gives what the care team has, until
it lapses. "Missing" and "forbidden" raise the same ``NotFound``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from egide.access.models import BreakGlassGrant
from egide.accounts.models import Role, User
from egide.core.errors import NotFound
from egide.patients.models import CareTeamMember, Patient

IDENTITY_ROLES = frozenset({Role.PRATICIEN, Role.SECRETARIAT})


class Need(StrEnum):
    """What the caller is about to read or write."""

    IDENTITY = "identity"  # identity and administration
    CLINICAL = "clinical"  # notes and documents
    TRAIL = "trail"  # the patient's access history (who, when, what, why)
    CARE_TEAM = "care-team"  # add a practitioner of the practice to the patient's care team


@dataclass(frozen=True)
class Access:
    """A patient the user may reach for a need, and on what ground."""

    patient: Patient
    identity: bool
    clinical: bool
    trail: bool
    care_team: bool = False
    grant: BreakGlassGrant | None = None

    @property
    def grant_id(self) -> uuid.UUID | None:
        return self.grant.id if self.grant is not None else None

    @property
    def justification(self) -> str:
        """What the journal's events of this access carry: the break-the-glass grant, if any."""
        return grant_reference(self.grant.id) if self.grant is not None else ""

    @property
    def lapses_at(self) -> datetime | None:
        return self.grant.expires_at if self.grant is not None else None


def grant_reference(grant_id: uuid.UUID) -> str:
    """The ``justification`` of journal events made under a grant (an opaque id, never the reason)."""
    return f"break-glass:{grant_id}"


def _roles(user: User) -> frozenset[Role]:
    if not user.is_active or user.practice_id is None:
        return frozenset()
    return user.role_set()


def _in_care_team(user: User, patient: Patient) -> bool:
    return CareTeamMember.objects.filter(patient_id=patient.id, practitioner_id=user.pk).exists()


def active_grants(*, user: User, patient_id: uuid.UUID) -> QuerySet[BreakGlassGrant]:
    """The user's break-the-glass grants on a patient that have not lapsed yet, newest first."""
    return BreakGlassGrant.objects.filter(
        patient_id=patient_id, practitioner_id=user.pk, expires_at__gt=timezone.now()
    ).order_by("-expires_at")


def access_decide(user: User, patient: Patient) -> Access:
    """Everything ``user`` may do with ``patient`` (all False for another practice)."""
    roles = _roles(user)
    if patient.practice_id != user.practice_id or not roles:
        return Access(patient, identity=False, clinical=False, trail=False)
    grant = None
    caring = False
    if Role.PRATICIEN in roles:
        caring = _in_care_team(user, patient)
        if not caring:
            grant = active_grants(user=user, patient_id=patient.id).first()
    clinical = caring or grant is not None
    return Access(
        patient,
        identity=clinical or Role.SECRETARIAT in roles,
        clinical=clinical,
        trail=caring or Role.DPO in roles,
        care_team=caring or Role.SECRETARIAT in roles,
        grant=grant if not caring else None,
    )


def _allows(access: Access, need: Need) -> bool:
    if need is Need.IDENTITY:
        return access.identity
    if need is Need.CLINICAL:
        return access.clinical
    if need is Need.CARE_TEAM:
        return access.care_team
    return access.trail


def patient_for(
    user: User, patient_id: uuid.UUID, *, need: Need, lock: bool = False, include_erased: bool = False
) -> Access:
    """Fetch a patient of the user's practice and authorise ``need`` in one call.

    Raises ``NotFound`` alike for a missing patient, another practice's, an erased one (unless
    ``include_erased``) and a forbidden need. ``lock`` takes the row for update (writes).
    """
    patients = Patient.objects.select_for_update() if lock else Patient.objects.all()
    patient = patients.filter(id=patient_id, practice_id=user.practice_id).first()
    if patient is None or (patient.erased_at is not None and not include_erased):
        raise NotFound
    access = access_decide(user, patient)
    if not _allows(access, need):
        raise NotFound
    return access


def can_manage_identities(user: User) -> bool:
    """Create, import and search identities: practitioners and the secretariat. Never DPO or admin."""
    return bool(_roles(user) & IDENTITY_ROLES)


def can_shred(user: User) -> bool:
    """Crypto-shredding is decided by the DPO (accepted erasure); purges run as the worker."""
    return Role.DPO in _roles(user)


def can_review_break_glass(user: User) -> bool:
    """The DPO reviews every break-the-glass access of the practice."""
    return Role.DPO in _roles(user)


def break_glass_patient(user: User, patient_id: uuid.UUID, *, lock: bool = False) -> Patient:
    """The patient ``user`` may open through break-the-glass: a practitioner of the same practice
    outside the care team, on a patient not erased. ``NotFound`` otherwise, like a missing one."""
    patients = Patient.objects.select_for_update() if lock else Patient.objects.all()
    patient = patients.filter(id=patient_id, practice_id=user.practice_id).first()
    if (
        patient is None
        or patient.erased_at is not None
        or Role.PRATICIEN not in _roles(user)
        or _in_care_team(user, patient)
    ):
        raise NotFound
    return patient


def can_break_glass(user: User, patient_id: uuid.UUID) -> bool:
    try:
        break_glass_patient(user, patient_id)
    except NotFound:
        return False
    return True
