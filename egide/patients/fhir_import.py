"""Reading a FHIR R4 Bundle into the vault (``egide import``); the mapping is in ``fhir.py``.

1. The file is parsed whole (malformed JSON or a non-Bundle rejects the file, nothing changes).
2. Each entry is checked alone against the FHIR models: a bad entry is rejected with its position
   (its index in ``Bundle.entry``) and the others go on.
3. Entries are grouped per patient (an Observation or a DocumentReference names its Patient by
   ``subject.reference``) and each group is written in one transaction: the patient with all its
   notes and documents, or nothing. A patient already known (same NIR or INS, found through the
   blind indexes) is updated, never duplicated; a note already there (same date and text) or a
   document already there (same name and content) is not added twice: re-importing is idempotent.

Reasons are French sentences for the operator; they may quote what was wrong in an identifier
(a NIR key), so they are printed, never logged: logs carry entry positions only.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from io import BytesIO
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from egide.access import policy
from egide.accounts.models import User
from egide.audit.actions import Action
from egide.core.errors import EgideError, NotFound
from egide.patients.documents import (
    DocumentRow,
    blob_dir,
    document_add,
    document_list_for_user,
    document_open_for_user,
    filename_clean,
)
from egide.patients.fhir import JSON, document_from_reference, identity_from_patient, note_from_observation
from egide.patients.identifiers import IdentityStatus
from egide.patients.models import Document
from egide.patients.selectors import patient_get_for_user, patient_id_by_number
from egide.patients.services import note_add, patient_create, patient_update
from egide.patients.trace import patient_event
from egide.patients.validation import identity_validate
from egide.patients.vault import Identity

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

FIELD_LABELS = {
    "identifier": "identifiant",
    "birth_name": "nom de naissance",
    "birth_first_names": "prénoms de naissance",
    "birth_date": "date de naissance",
    "sex": "sexe",
    "death_date": "date de décès",
    "nir": "NIR",
    "ins_matricule": "INS",
    "identity_status": "statut de l'identité",
    "birthplace_cog": "lieu de naissance (COG)",
    "email": "e-mail",
    "text": "texte de la note",
    "written_on": "date de la note",
    "file": "document",
}


@dataclass(frozen=True)
class Rejection:
    position: int | None  # index in Bundle.entry; None: the file itself
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    attachments_added: int = 0  # notes and documents
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)


@dataclass
class _Group:
    """One patient's entries: its position, its notes and documents, the positions already rejected."""

    position: int
    resource: JSON
    notes: list[tuple[int, JSON]] = field(default_factory=list)  # Observations and DocumentReferences
    failed: list[int] = field(default_factory=list)
    blame: int = -1  # the entry being written: the one to report if writing fails
    added: int = 0

    def __post_init__(self) -> None:
        self.blame = self.position


def _describe(error: EgideError) -> str:
    if not error.fields:
        return str(error.message)
    return " ; ".join(
        f"{FIELD_LABELS.get(name, name)} : {message}"
        for name, messages in error.fields.items()
        for message in messages
    )


def _fhir_problem(error: ValidationError) -> str:
    # Locations only: pydantic's messages are English and quote the input, which may be personal data.
    places = sorted({".".join(str(part) for part in problem["loc"]) for problem in error.errors()})
    return "Ressource FHIR non conforme (champs : " + ", ".join(places) + ")."


def _model_check(resource: JSON) -> str | None:
    """None if the resource is a valid FHIR R4(B) resource of a kind Égide reads, else the reason."""
    from fhir.resources.R4B.documentreference import DocumentReference
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient

    models: dict[str, type[Patient] | type[Observation] | type[DocumentReference]] = {
        "Patient": Patient,
        "Observation": Observation,
        "DocumentReference": DocumentReference,
    }
    model = models.get(str(resource.get("resourceType")))
    if model is None:
        kind = str(resource.get("resourceType", "absent"))[:40]
        accepted = "Patient, Observation et DocumentReference acceptés"
        return f"Type de ressource non pris en charge : {kind} ({accepted})."
    try:
        model.model_validate(resource)
    except ValidationError as error:
        return _fhir_problem(error)
    return None


def _bundle_entries(data: bytes | str, report: ImportReport) -> list[Any] | None:
    try:
        bundle = json.loads(data)
    except UnicodeDecodeError:
        report.rejections.append(
            Rejection(None, "Le fichier n'est pas du texte UTF-8 : rien n'a été importé.")
        )
        return None
    except json.JSONDecodeError as error:
        reason = f"JSON illisible (ligne {error.lineno}, colonne {error.colno}) : rien n'a été importé."
        report.rejections.append(Rejection(None, reason))
        return None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        reason = (
            "Le fichier n'est pas un Bundle FHIR (resourceType « Bundle » attendu) : rien n'a été importé."
        )
        report.rejections.append(Rejection(None, reason))
        return None
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        report.rejections.append(Rejection(None, "Bundle.entry n'est pas une liste : rien n'a été importé."))
        return None
    return entries


def _groups(entries: list[Any], report: ImportReport) -> list[_Group]:
    groups: dict[str, _Group] = {}
    rejected: dict[str, int] = {}  # reference of a rejected Patient -> its position
    ordered: list[_Group] = []
    # Notes and documents: position, resource, the reason it is already rejected.
    notes: list[tuple[int, JSON, str | None]] = []
    for position, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            report.rejections.append(Rejection(position, "Entrée sans ressource (entry.resource)."))
            continue
        problem = _model_check(resource)
        if resource.get("resourceType") in {"Observation", "DocumentReference"}:
            notes.append((position, resource, problem))
            continue
        references = [entry.get("fullUrl"), f"Patient/{resource.get('id')}" if resource.get("id") else ""]
        if problem is not None:
            report.rejections.append(Rejection(position, problem))
            rejected.update((str(reference), position) for reference in references if reference)
            continue
        group = _Group(position, resource)
        ordered.append(group)
        groups.update((str(reference), group) for reference in references if reference)
    for position, resource, problem in notes:
        subject = resource.get("subject")
        reference = str(subject.get("reference", "")) if isinstance(subject, dict) else ""
        owner = groups.get(reference)
        if problem is not None:
            report.rejections.append(Rejection(position, problem))
            if owner is not None:
                owner.failed.append(position)
        elif reference in rejected:
            reason = f"Non importé : son patient (position {rejected[reference]}) est rejeté."
            report.rejections.append(Rejection(position, reason))
        elif owner is None:
            reason = "Sans patient : subject.reference ne désigne aucun Patient de ce Bundle."
            report.rejections.append(Rejection(position, reason))
        else:
            owner.notes.append((position, resource))
    return ordered


def _write(actor: User, identity: Identity, ins_oid: str, status: IdentityStatus) -> tuple[uuid.UUID, str]:
    """Create the patient or update the one with the same INS/NIR; say which (inside a transaction)."""
    known = None
    for number in (identity.ins_matricule, identity.nir):
        known = known or (patient_id_by_number(user=actor, number=number) if number else None)
    if known is None:
        return patient_create(
            actor=actor, identity=identity, ins_oid=ins_oid, identity_status=status
        ).patient_id, "created"
    record = patient_get_for_user(user=actor, patient_id=known)
    if record.identity is not None and record.identity.ins_matricule and not identity.ins_matricule:
        # An INS travels only when qualified: a bundle without it never removes the INS known here.
        identity = replace(identity, ins_matricule=record.identity.ins_matricule)
        ins_oid, status = record.ins_oid, IdentityStatus(record.identity_status)
    if (record.identity, record.ins_oid, record.identity_status) == (identity, ins_oid, status.value):
        return known, "unchanged"
    patient_update(actor=actor, patient_id=known, identity=identity, ins_oid=ins_oid, identity_status=status)
    return known, "updated"


def _document_known(
    actor: User, patient_id: uuid.UUID, rows: list[DocumentRow], name: str, content: bytes
) -> bool:
    """Same name, size and content as a document already there (only candidates are decrypted)."""
    for row in rows:
        if (row.filename, row.size) == (filename_clean(name), len(content)):
            with document_open_for_user(
                user=actor, patient_id=patient_id, document_id=row.id
            ).stream as stream:
                if stream.read() == content:
                    rows.remove(row)
                    return True
    return False


def _write_group(actor: User, group: _Group, identity: Identity, ins_oid: str, status: IdentityStatus) -> str:
    """One transaction: the patient, its new notes and documents, the import event.

    Documents are encrypted into blob files before the transaction commits (``document_add``);
    should it roll back, their files are removed here, since their rows are gone.
    """
    notes: list[tuple[int, date, str]] = []
    documents: list[tuple[int, str, bytes]] = []
    for position, resource in group.notes:
        group.blame = position
        if resource["resourceType"] == "Observation":
            notes.append((position, *note_from_observation(resource)))
        else:
            documents.append((position, *document_from_reference(resource)))
    group.blame = group.position
    blobs: list[str] = []
    try:
        with transaction.atomic():
            patient_id, outcome = _write(actor, identity, ins_oid, status)
            record = patient_get_for_user(user=actor, patient_id=patient_id)
            present = [(note.written_on, note.text) for note in record.notes]
            rows = document_list_for_user(user=actor, patient_id=patient_id) if documents else []
            for group.blame, written_on, text in notes:  # blame: the entry being written
                if (written_on, text) in present:
                    present.remove((written_on, text))  # already imported: idempotent
                    continue
                note_add(actor=actor, patient_id=patient_id, text=text, written_on=written_on)
                group.added += 1
            for group.blame, name, content in documents:
                if _document_known(actor, patient_id, rows, name, content):
                    continue
                document_id = document_add(
                    actor=actor, patient_id=patient_id, filename=name, upload=BytesIO(content)
                )
                blobs.append(Document.objects.get(id=document_id).blob_name)
                group.added += 1
            group.blame = group.position
            patient_event(Action.PATIENT_IMPORTED, actor=actor, patient_id=patient_id)
    except BaseException:
        for blob in blobs:
            (blob_dir() / blob).unlink(missing_ok=True)
        raise
    return outcome


def _import_group(actor: User, group: _Group, report: ImportReport) -> None:
    if group.failed:
        positions = ", ".join(str(position) for position in group.failed)
        reason = f"Patient non importé : sa note ou son document (position {positions}) est rejeté."
        _reject_group(group, group.position, reason, report)
        return
    try:
        identity, ins_oid, status = identity_from_patient(group.resource)
        identity, warnings = identity_validate(identity, ins_oid=ins_oid, identity_status=status)
        outcome = _write_group(actor, group, identity, ins_oid, status)
    except NotFound:
        # The secretariat may import identities, never clinical content (egide.access.policy).
        reason = "Refusé : seul un praticien de l'équipe de soins peut importer notes et documents."
        _reject_group(group, group.blame, reason, report)
        return
    except EgideError as error:
        _reject_group(group, group.blame, _describe(error), report)
        return
    if outcome == "created":
        report.created += 1
    elif outcome == "updated":
        report.updated += 1
    else:
        report.unchanged += 1
    report.attachments_added += group.added
    report.warnings.extend(Rejection(group.position, warning) for warning in warnings)


def _reject_group(group: _Group, failing: int, reason: str, report: ImportReport) -> None:
    """Reject the entry at fault and, with it, the patient and everything else attached to it."""
    report.rejections.append(Rejection(failing, reason))
    if failing != group.position:
        reason = f"Patient non importé : sa note ou son document (position {failing}) est rejeté."
        report.rejections.append(Rejection(group.position, reason))
    for position, _resource in group.notes:
        if position != failing:
            reason = f"Non importé : son patient (position {group.position}) est rejeté."
            report.rejections.append(Rejection(position, reason))


def bundle_import(*, actor: User, data: bytes | str, progress: Progress | None = None) -> ImportReport:
    """Import a FHIR R4 Bundle of Patients, their notes (Observations) and documents
    (DocumentReferences) into ``actor``'s practice.

    Each patient with its notes and documents is written in one transaction, audited
    ``patient:record:imported``;
    a rejected entry leaves its patient unchanged and is reported with its position.
    """
    if not policy.can_manage_identities(actor):
        raise NotFound
    report = ImportReport()
    entries = _bundle_entries(data, report)
    if entries is None:
        logger.warning("FHIR import: file rejected")
        return report
    groups = _groups(entries, report)
    for done, group in enumerate(groups, start=1):
        _import_group(actor, group, report)
        if progress is not None:
            progress(done, len(groups))
    report.rejections.sort(key=lambda rejection: -1 if rejection.position is None else rejection.position)
    for rejection in report.rejections:
        logger.warning("FHIR import: entry %s rejected", rejection.position)
    logger.info(
        "FHIR import: %s created, %s updated, %s unchanged, %s notes or documents added",
        report.created,
        report.updated,
        report.unchanged,
        report.attachments_added,
    )
    return report
