"""FHIR R4 for the vault: a patient and its notes as a ``Bundle`` (type ``collection``), and back.

Models come from ``fhir.resources.R4B``: the package ships R5 (top level), R4B and STU3, not 4.0.1.
R4B (4.3.0) left Patient, Observation, DocumentReference and Bundle as they were in R4 (its changes
are in medication definition and evidence resources), so what validates here is R4.

Mapping (README "FHIR"):

- ``Patient.identifier``: the INS travels under its authority's system ``urn:oid:<OID>`` (INS-NIR
  ``…4.8``, INS-NIA ``…4.9``, test ``…4.10``, demo ``…4.11``) only when the identity is qualified
  (QUAL): regulatory-facts §6.3 [S39], ``identifiers.ins_exportable``. The NIR as the practice knows
  it travels under ``NIR_SYSTEM``, an Égide name, because it is not an INS until qualified.
- ``Patient.name``: ``official`` = birth name + birth first names; ``usual`` = used name and used
  first name. ``gender``: F/M/I ↔ female/male/other (``unknown`` is read as I too).
- ``birthDate``, ``deceasedDateTime`` (a date), ``address[0].text``, ``telecom`` phone and email.
- Birthplace COG: the HL7 ``patient-birthPlace`` extension (which FR Core reuses) holding an
  Address with FR Core's ``fr-core-address-insee-code`` extension (a Coding whose code is the COG).
- Identity status (PROV/RECUP/VALI/QUAL): ``STATUS_EXTENSION``, an Égide extension with a code.
- Notes: ``Observation`` with ``valueString`` and ``effectiveDateTime``. A note is a short dated
  text by a practitioner, not a file: Observation holds exactly (date, text) without a base64
  attachment, and keeps ``DocumentReference`` for uploaded documents, so an importer tells them
  apart by type. ``performer.display`` names the author (an account label, not patient data).
- Documents: ``DocumentReference`` (status ``current``) with one ``attachment``: ``contentType``,
  ``title`` (the file name), ``size`` and the content in ``data`` (base64). The upload date is not
  carried: an import cannot keep it (the vault dates a document when it stores it).
"""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Any

from django.db import transaction

from egide.accounts.models import User
from egide.audit.actions import Action
from egide.core.errors import Invalid, NotFound
from egide.patients.documents import DocumentRow, document_list_for_user, document_open_for_user
from egide.patients.identifiers import IdentityStatus, InsOid, ins_exportable
from egide.patients.selectors import NoteView, PatientRecord, patient_get_for_user
from egide.patients.trace import patient_event
from egide.patients.vault import Identity

JSON = dict[str, Any]

INS_SYSTEMS = {f"urn:oid:{oid.value}": oid for oid in InsOid}
NIR_SYSTEM = "urn:egide:fhir:nir"
STATUS_EXTENSION = "urn:egide:fhir:StructureDefinition:identity-status"
BIRTHPLACE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE_CODE_EXTENSION = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code"
# FR Core ValueSet INSEE code binds the commune codes of this system; a birth abroad (99xxx) is a
# country code of another table, so it goes without a system rather than under a wrong one.
COMMUNE_SYSTEM = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
KNOWN_SYSTEMS = ", ".join([NIR_SYSTEM, *INS_SYSTEMS])
GENDERS = {"F": "female", "M": "male", "I": "other"}
SEXES_BY_GENDER = {"female": "F", "male": "M", "other": "I", "unknown": "I"}
# LOINC 34109-9 "Note" (document ontology): the kind of content, whatever the specialty.
NOTE_CODE: JSON = {
    "coding": [{"system": "http://loinc.org", "code": "34109-9", "display": "Note"}],
    "text": "Note clinique",
}


def patient_reference(patient_id: uuid.UUID) -> str:
    return f"urn:uuid:{patient_id}"


def _identifiers(record: PatientRecord, identity: Identity) -> list[JSON]:
    identifiers: list[JSON] = []
    if identity.nir:
        identifiers.append({"use": "official", "system": NIR_SYSTEM, "value": identity.nir})
    status = IdentityStatus(record.identity_status)
    if identity.ins_matricule and record.ins_oid and ins_exportable(status):
        identifiers.append(
            {"use": "official", "system": f"urn:oid:{record.ins_oid}", "value": identity.ins_matricule}
        )
    return identifiers


def _names(identity: Identity) -> list[JSON]:
    names: list[JSON] = [
        {"use": "official", "family": identity.birth_name, "given": list(identity.birth_first_names)}
    ]
    if identity.used_name or identity.used_first_name:
        usual: JSON = {"use": "usual"}
        if identity.used_name:
            usual["family"] = identity.used_name
        if identity.used_first_name:
            usual["given"] = [identity.used_first_name]
        names.append(usual)
    return names


def _birthplace(cog: str) -> JSON:
    coding: JSON = {"code": cog} if cog.startswith("99") else {"system": COMMUNE_SYSTEM, "code": cog}
    return {
        "url": BIRTHPLACE_EXTENSION,
        "valueAddress": {"extension": [{"url": INSEE_CODE_EXTENSION, "valueCoding": coding}]},
    }


def patient_resource(record: PatientRecord, identity: Identity) -> JSON:
    """The FHIR Patient of a record (what ``identity_from_patient`` reads back)."""
    status = IdentityStatus(record.identity_status)
    extensions: list[JSON] = [{"url": STATUS_EXTENSION, "valueCode": status.value}]
    if identity.birthplace_cog:
        extensions.insert(0, _birthplace(identity.birthplace_cog))
    resource: JSON = {
        "resourceType": "Patient",
        "id": str(record.id),
        "extension": extensions,
        "identifier": _identifiers(record, identity),
        "name": _names(identity),
        "gender": GENDERS[identity.sex],
        "birthDate": identity.birth_date.isoformat(),
    }
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", identity.phone), ("email", identity.email))
        if value
    ]
    if telecom:
        resource["telecom"] = telecom
    if identity.address:
        resource["address"] = [{"text": identity.address}]
    if identity.death_date:
        resource["deceasedDateTime"] = identity.death_date.isoformat()
    return {key: value for key, value in resource.items() if value != []}


def note_resource(note: NoteView, patient_id: uuid.UUID) -> JSON:
    return {
        "resourceType": "Observation",
        "id": str(note.id),
        "status": "final",
        "code": NOTE_CODE,
        "subject": {"reference": patient_reference(patient_id)},
        "effectiveDateTime": note.written_on.isoformat(),
        "performer": [{"display": note.author_label}],
        "valueString": note.text,
    }


def document_resource(document: DocumentRow, content: bytes, patient_id: uuid.UUID) -> JSON:
    attachment = {
        "contentType": document.media_type,
        "data": base64.b64encode(content).decode("ascii"),
        "title": document.filename,
        "size": len(content),
    }
    return {
        "resourceType": "DocumentReference",
        "id": str(document.id),
        "status": "current",
        "subject": {"reference": patient_reference(patient_id)},
        "content": [{"attachment": attachment}],
    }


def _document_entries(actor: User, patient_id: uuid.UUID) -> list[JSON]:
    """Each document read through the audited download path (one event per document)."""
    entries: list[JSON] = []
    for document in sorted(
        document_list_for_user(user=actor, patient_id=patient_id), key=lambda d: d.filename
    ):
        opened = document_open_for_user(user=actor, patient_id=patient_id, document_id=document.id)
        with opened.stream as stream:
            content = stream.read()
        resource = document_resource(document, content, patient_id)
        entries.append({"fullUrl": f"urn:uuid:{document.id}", "resource": resource})
    return entries


def bundle_validate(bundle: JSON) -> None:
    """Raise pydantic's ValidationError unless ``bundle`` is a valid FHIR R4(B) Bundle."""
    from fhir.resources.R4B.bundle import Bundle  # heavy import, only when FHIR is used

    Bundle.model_validate(bundle)


def patient_export(*, actor: User, patient_id: uuid.UUID) -> JSON:
    """A patient (with notes and documents, for the care team) as a FHIR Bundle of type collection.

    Audited: the read (``patient_get_for_user``), each document's download, and the export.
    The web UI must ask for a fresh re-authentication before calling it (DESIGN "Access control",
    sensitive action); the CLI is an operator's tool run on the server.
    """
    record = patient_get_for_user(user=actor, patient_id=patient_id)
    if record.identity is None:
        raise NotFound  # crypto-shredded: nothing left to export
    reference = patient_reference(record.id)
    entries: list[JSON] = [{"fullUrl": reference, "resource": patient_resource(record, record.identity)}]
    for note in sorted(record.notes, key=lambda note: (note.written_on, note.text)):
        entries.append({"fullUrl": f"urn:uuid:{note.id}", "resource": note_resource(note, record.id)})
    if record.can_see_clinical:
        entries.extend(_document_entries(actor, record.id))
    bundle: JSON = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    bundle_validate(bundle)
    with transaction.atomic():
        patient_event(
            Action.PATIENT_EXPORTED, actor=actor, patient_id=record.id, justification=record.justification
        )
    return bundle


def _full_date(raw: object) -> date | None:
    """A FHIR date or dateTime reduced to its day; None when absent, partial or impossible."""
    if not isinstance(raw, str) or len(raw) < 10:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _extension(resource: JSON, url: str) -> JSON | None:
    return next((ext for ext in resource.get("extension", []) if ext.get("url") == url), None)


def _birthplace_cog(resource: JSON) -> str:
    place = _extension(resource, BIRTHPLACE_EXTENSION)
    insee = _extension(place.get("valueAddress", {}), INSEE_CODE_EXTENSION) if place else None
    return str(insee.get("valueCoding", {}).get("code", "")) if insee else ""


def identity_from_patient(resource: JSON) -> tuple[Identity, str, IdentityStatus]:
    """The vault identity, INS authority OID and status a FHIR Patient describes; raise Invalid."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    numbers: dict[str, str] = {}
    ins_oid = ""
    for identifier in resource.get("identifier", []):
        system, value = identifier.get("system", ""), identifier.get("value", "")
        if system == NIR_SYSTEM or system in INS_SYSTEMS:
            kind = "nir" if system == NIR_SYSTEM else "ins_matricule"
            if kind in numbers:
                fail("identifier", f"Plusieurs identifiants du système {system} : un seul est attendu.")
            numbers[kind] = value
            ins_oid = INS_SYSTEMS[system].value if system in INS_SYSTEMS else ins_oid
        else:
            fail("identifier", f"Système d'identifiant inconnu « {system} » ; acceptés : {KNOWN_SYSTEMS}.")
    names = resource.get("name", [])
    official = next((name for name in names if name.get("use") == "official"), None)
    official = official or next((name for name in names if not name.get("use")), None)
    if official is None or not official.get("family"):
        fail("birth_name", "Nom de naissance absent : un name de use « official » avec family est attendu.")
    usual: JSON = next((name for name in names if name.get("use") == "usual"), {})
    sex = SEXES_BY_GENDER.get(resource.get("gender", ""), "")
    if not sex:
        fail("sex", "Sexe absent ou inconnu : gender vaut female, male, other ou unknown.")
    birth_date = _full_date(resource.get("birthDate"))
    if birth_date is None:
        fail("birth_date", "Date de naissance absente ou incomplète (birthDate : AAAA-MM-JJ attendu).")
    death_date = _full_date(resource.get("deceasedDateTime"))
    if resource.get("deceasedBoolean") or (resource.get("deceasedDateTime") and death_date is None):
        fail("death_date", "Date de décès absente ou incomplète (deceasedDateTime : AAAA-MM-JJ attendu).")
    status_extension = _extension(resource, STATUS_EXTENSION)
    status_code = status_extension.get("valueCode", "") if status_extension else IdentityStatus.PROV.value
    if status_code not in IdentityStatus.__members__:
        fail("identity_status", "Statut d'identité inconnu : PROV, RECUP, VALI ou QUAL attendu.")
    if errors or official is None or birth_date is None:
        raise Invalid(fields=errors)
    address: JSON = next(iter(resource.get("address", [])), {})
    parts = [*address.get("line", []), address.get("postalCode", ""), address.get("city", "")]
    address_text = address.get("text") or " ".join(part for part in parts if part)
    telecom = {item.get("system"): item.get("value", "") for item in reversed(resource.get("telecom", []))}
    identity = Identity(
        birth_name=official["family"],
        birth_first_names=tuple(official.get("given", [])),
        birth_date=birth_date,
        sex=sex,
        used_name=usual.get("family", ""),
        used_first_name=next(iter(usual.get("given", [])), ""),
        birthplace_cog=_birthplace_cog(resource),
        nir=numbers.get("nir", ""),
        ins_matricule=numbers.get("ins_matricule", ""),
        address=address_text,
        phone=telecom.get("phone", ""),
        email=telecom.get("email", ""),
        death_date=death_date,
    )
    return identity, ins_oid, IdentityStatus(status_code)


def document_from_reference(resource: JSON) -> tuple[str, bytes]:
    """The file name and content of a DocumentReference's first attachment; raise Invalid."""
    content_item: JSON = next(iter(resource.get("content", [])), {})
    attachment: JSON = content_item.get("attachment", {})
    try:
        content = base64.b64decode(attachment.get("data", ""), validate=True)
    except ValueError:
        content = b""
    if not content:
        message = (
            "Document sans contenu lisible (attachment.data en base64) ; les liens (url) ne sont pas suivis."
        )
        raise Invalid(fields={"file": [message]})
    return str(attachment.get("title") or "document"), content


def note_from_observation(resource: JSON) -> tuple[date, str]:
    written_on = _full_date(resource.get("effectiveDateTime"))
    text = resource.get("valueString", "")
    errors: dict[str, list[str]] = {}
    if written_on is None:
        errors["written_on"] = ["Date de la note absente ou incomplète (effectiveDateTime)."]
    if not isinstance(text, str) or not text.strip():
        errors["text"] = ["Texte de la note absent (valueString)."]
    if errors or written_on is None:
        raise Invalid(fields=errors)
    return written_on, text.strip()
