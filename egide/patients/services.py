"""Every write on the vault. Each runs in one transaction with its audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.access import policy
from egide.access.policy import Need
from egide.accounts.models import Role, User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Invalid, NotFound
from egide.crypto.hierarchy import Keyring
from egide.crypto.runtime import current_keyring
from egide.crypto.services import data_key_create, data_key_destroy, data_key_get
from egide.patients.identifiers import IdentityStatus
from egide.patients.models import ENCRYPTED_IDENTITY_FIELDS, CareTeamMember, Note, Patient, PatientIndex
from egide.patients.trace import patient_event
from egide.patients.validation import identity_validate
from egide.patients.vault import Identity, identity_indexes, identity_seal, text_seal

NOTE_MAX_LENGTH = 100_000


@dataclass(frozen=True)
class Saved:
    patient_id: uuid.UUID
    warnings: tuple[str, ...]


def indexes_replace(patient: Patient, identity: Identity, keyring: Keyring | None = None) -> None:
    """Recompute a patient's blind indexes under the current root version."""
    keyring = keyring or current_keyring()
    PatientIndex.objects.filter(patient=patient).delete()
    PatientIndex.objects.bulk_create(
        PatientIndex(
            patient=patient,
            practice_id=patient.practice_id,
            value=value,
            root_version=keyring.current_version,
        )
        for value in sorted(identity_indexes(keyring, identity))
    )


def patient_create(
    *,
    actor: User,
    identity: Identity,
    ins_oid: str = "",
    identity_status: IdentityStatus = IdentityStatus.PROV,
) -> Saved:
    """Create a patient of the actor's practice with a new data key; the creator joins the care team."""
    if not policy.can_manage_identities(actor):
        raise NotFound
    identity, warnings = identity_validate(identity, ins_oid=ins_oid, identity_status=identity_status)
    patient_id = uuid.uuid4()
    with transaction.atomic():
        data_key_id, key = data_key_create(aad_context=f"patients.Patient|{patient_id}")
        patient = Patient.objects.create(
            id=patient_id,
            practice_id=actor.practice_id,
            data_key_id=data_key_id,
            ins_oid=ins_oid,
            identity_status=identity_status,
            **identity_seal(patient_id, data_key_id, key, identity),
        )
        indexes_replace(patient, identity)
        if Role.PRATICIEN in actor.role_set():
            CareTeamMember.objects.create(patient=patient, practitioner=actor)
        patient_event(Action.PATIENT_CREATED, actor=actor, patient_id=patient_id)
    return Saved(patient_id, tuple(warnings))


def _patient_for_write(actor: User, patient_id: uuid.UUID, need: Need = Need.IDENTITY) -> policy.Access:
    return policy.patient_for(actor, patient_id, need=need, lock=True)


def patient_update(
    *,
    actor: User,
    patient_id: uuid.UUID,
    identity: Identity,
    ins_oid: str = "",
    identity_status: IdentityStatus = IdentityStatus.PROV,
) -> Saved:
    """Replace a patient's identity: every field re-encrypted, indexes recomputed."""
    identity, warnings = identity_validate(identity, ins_oid=ins_oid, identity_status=identity_status)
    with transaction.atomic():
        access = _patient_for_write(actor, patient_id)
        patient = access.patient
        key = data_key_get(data_key_id=patient.data_key_id)
        for name, envelope in identity_seal(patient.id, patient.data_key_id, key, identity).items():
            setattr(patient, name, envelope)
        patient.ins_oid, patient.identity_status = ins_oid, identity_status
        patient.save(update_fields=[*ENCRYPTED_IDENTITY_FIELDS, "ins_oid", "identity_status", "updated_at"])
        indexes_replace(patient, identity)
        patient_event(
            Action.PATIENT_UPDATED, actor=actor, patient_id=patient.id, justification=access.justification
        )
    return Saved(patient.id, tuple(warnings))


def note_add(*, actor: User, patient_id: uuid.UUID, text: str, written_on: date | None = None) -> uuid.UUID:
    """A clinical note by a practitioner of the care team; it also sets the last visit date."""
    text = text.strip()
    if not text:
        raise Invalid(fields={"text": [_("The note is empty.")]})
    if len(text) > NOTE_MAX_LENGTH:
        raise Invalid(fields={"text": [_("The note is too long (100,000 characters at most).")]})
    written_on = written_on or timezone.localdate()
    with transaction.atomic():
        access = _patient_for_write(actor, patient_id, Need.CLINICAL)
        patient = access.patient
        key = data_key_get(data_key_id=patient.data_key_id)
        note_id = uuid.uuid4()
        Note.objects.create(
            id=note_id,
            patient=patient,
            author=actor,
            written_on=written_on,
            text=text_seal("Note", note_id, patient.data_key_id, key, "text", text),
        )
        if patient.last_visit_date is None or written_on > patient.last_visit_date:
            patient.last_visit_date = written_on
            patient.save(update_fields=["last_visit_date", "updated_at"])
        audit_record(
            action=Action.NOTE_ADDED,
            actor=actor,
            subject_type="note",
            subject_id=note_id,
            patient_id=patient.id,
            justification=access.justification,
        )
    return note_id


def care_team_add(*, actor: User, patient_id: uuid.UUID, practitioner_id: uuid.UUID) -> None:
    """Add a practitioner of the practice to a patient's care team (the secretariat, or a member of
    the care team). Audited; adding someone already in the team changes nothing."""
    with transaction.atomic():
        patient = _patient_for_write(actor, patient_id, Need.CARE_TEAM).patient
        practitioner = User.objects.filter(
            id=practitioner_id,
            practice_id=patient.practice_id,
            is_active=True,
            role_assignments__role=Role.PRATICIEN,
        ).first()
        if practitioner is None:
            raise Invalid(fields={"practitioner": [_("Choose a practitioner of the practice.")]})
        if practitioner.pk == actor.pk and not patient.care_team.filter(practitioner=actor).exists():
            # Someone both secretariat and practitioner would otherwise open any record for good,
            # with no reason, no time box and no DPO review: that is break-the-glass's job.
            raise Invalid(
                fields={
                    "practitioner": [
                        _(
                            "You cannot add yourself to a care team: ask the secretariat or a member "
                            "of the team, or use break-the-glass."
                        )
                    ]
                }
            )
        _member, created = CareTeamMember.objects.get_or_create(patient=patient, practitioner=practitioner)
        if created:
            audit_record(
                action=Action.CARE_TEAM_JOINED,
                actor=actor,
                subject_type="user",
                subject_id=practitioner.id,
                patient_id=patient.id,
            )


def patient_key_destroy(*, actor: User | None, patient_id: uuid.UUID) -> None:
    """Crypto-shred a patient: drop the blind indexes, mark the row erased, destroy the data key.

    Used by accepted erasures (decided by the DPO) and end-of-retention purges (the worker,
    ``actor=None``). The row stays as "données effacées" with its date; fields and notes can no
    longer be opened anywhere, including in an older copy of the database (the shredding journal
    is consulted on every unwrap). Backups keep ciphertext until they expire (README).
    """
    if actor is not None and not policy.can_shred(actor):
        raise NotFound
    with transaction.atomic():
        patient = Patient.objects.select_for_update().filter(id=patient_id).first()
        if patient is None or (actor is not None and patient.practice_id != actor.practice_id):
            raise NotFound
        if patient.erased_at is not None:
            return
        PatientIndex.objects.filter(patient=patient).delete()
        patient.erased_at = timezone.now()
        patient.save(update_fields=["erased_at", "updated_at"])
        patient_event(
            Action.PATIENT_SHREDDED, actor=actor, patient_id=patient.id, practice_id=patient.practice_id
        )
        # Last: the journal append cannot be rolled back, so nothing may fail after it but the
        # commit itself. Should the commit fail, the key is still erased (the journal wins) and
        # the next read shows the patient as erased.
        data_key_destroy(data_key_id=patient.data_key_id)
