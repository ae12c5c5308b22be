"""Every read of the vault: fetch and authorise in one call, audited, missing = forbidden."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from egide.access import policy
from egide.access.policy import Need
from egide.accounts.models import Role, User
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record, audit_record_patients
from egide.core.errors import Invalid, NotFound
from egide.crypto.blind_index import PREFIX_MAX_LENGTH, blind_index, normalise, prefix_index
from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.hierarchy import Purpose
from egide.crypto.runtime import current_keyring, require_unsealed
from egide.crypto.services import data_key_get, data_keys_get
from egide.patients.errors import RecordUnreadable
from egide.patients.identifiers import IdentifierError, nir_validate
from egide.patients.models import Note, Patient, PatientIndex
from egide.patients.trace import patient_event
from egide.patients.vault import (
    KIND_LAST_NAME,
    KIND_NAME,
    KIND_NAME_DOB,
    KIND_NIR,
    SUMMARY_FIELDS,
    Identity,
    identity_open,
    summary_open,
    text_open,
)

SEARCH_RESULTS_MAX = 50
# Type-ahead on a name's first letters shows fewer names (data minimisation, GDPR art. 5(1)(c)):
# two letters match thousands of patients, and each name shown is one more identity disclosed
# (and traced); whoever types the next letters finds theirs.
SEARCH_PREFIX_RESULTS_MAX = 20
# Prefix indexes stop at PREFIX_MAX_LENGTH characters: a longer name start typed is checked after
# decryption, among this many candidates. A shorter one matches exactly what the index says.
SEARCH_PREFIX_CANDIDATES = 4 * SEARCH_PREFIX_RESULTS_MAX
# Rows read per patient listed: one may match by birth and used names alike (or, during a root-key
# rotation, under two versions); a list short of a few names then is the price of reading no more.
MATCHES_PER_PATIENT = 2
DATE_IN_QUERY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


@dataclass(frozen=True)
class NoteView:
    id: uuid.UUID
    written_on: date
    author_label: str
    text: str


@dataclass(frozen=True)
class PatientRecord:
    id: uuid.UUID
    identity: Identity | None  # None once crypto-shredded
    erased_at: datetime | None
    identity_status: str
    ins_oid: str
    last_visit_date: date | None
    can_see_clinical: bool
    notes: tuple[NoteView, ...] = ()
    # Who accessed the record (care team, DPO), and the end of a break-the-glass access.
    can_see_trail: bool = False
    break_glass_until: datetime | None = None
    # What the journal's events of this access carry: the break-the-glass grant, if any.
    justification: str = ""


def _unreadable(actor: User, access: policy.Access) -> RecordUnreadable:
    # The failed read is itself a trace, committed even though the request fails.
    with transaction.atomic():
        patient_event(
            Action.PATIENT_VIEWED,
            actor=actor,
            patient_id=access.patient.id,
            outcome=Outcome.FAILURE,
            justification=access.justification,
        )
    return RecordUnreadable()


def _erased(user: User, access: policy.Access) -> PatientRecord:
    patient = access.patient
    with transaction.atomic():
        patient_event(
            Action.PATIENT_VIEWED, actor=user, patient_id=patient.id, justification=access.justification
        )
    return PatientRecord(
        patient.id,
        None,
        patient.erased_at,
        patient.identity_status,
        patient.ins_oid,
        None,
        access.clinical,
        can_see_trail=access.trail,
    )


def patient_get_for_user(*, user: User, patient_id: uuid.UUID) -> PatientRecord:
    """A patient as ``user`` may see it (identity; notes for the care team or under
    break-the-glass). Audited; events under break-the-glass carry the grant id."""
    access = policy.patient_for(user, patient_id, need=Need.IDENTITY, include_erased=True)
    patient, clinical = access.patient, access.clinical
    if patient.erased_at is not None:
        return _erased(user, access)
    try:
        key = data_key_get(data_key_id=patient.data_key_id)
        identity = identity_open(patient, key)
        notes = tuple(
            NoteView(
                note.id,
                note.written_on,
                note.author.label,
                text_open("Note", note.id, patient.data_key_id, key, "text", note.text),
            )
            for note in (Note.objects.filter(patient=patient).select_related("author") if clinical else [])
        )
    except ShreddedKeyError:
        # An older copy of the database: the journal says this patient was erased.
        return _erased(user, access)
    except CryptoError:
        raise _unreadable(user, access) from None
    with transaction.atomic():
        patient_event(
            Action.PATIENT_VIEWED, actor=user, patient_id=patient.id, justification=access.justification
        )
        if notes:
            patient_event(
                Action.NOTES_VIEWED, actor=user, patient_id=patient.id, justification=access.justification
            )
    return PatientRecord(
        patient.id,
        identity,
        None,
        patient.identity_status,
        patient.ins_oid,
        patient.last_visit_date,
        clinical,
        notes,
        can_see_trail=access.trail,
        break_glass_until=access.lapses_at,
        justification=access.justification,
    )


@dataclass(frozen=True)
class _Query:
    exact: frozenset[str]  # indexes whose match is certain
    prefix: frozenset[str]  # type-ahead indexes: candidates to check after decryption
    typed: str  # normalised name prefix the candidates must start with


def _name_splits(words: list[str]) -> list[tuple[str, str]]:
    """Every way to cut "DE LA FONTAINE JEAN PIERRE" into (last name, first name)."""
    return [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]


def _parse_query(query: str) -> _Query:
    """Blind indexes to look for, one per live root version."""
    keys = current_keyring().live_purpose_keys(Purpose.BLIND_INDEX)
    compact = re.sub(r"[\s.\-]", "", query).upper()
    if re.fullmatch(r"[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}", compact):
        try:
            number = nir_validate(compact).value
        except IdentifierError as error:
            raise Invalid(fields={"q": [str(error)]}) from None
        return _Query(frozenset(blind_index(key, KIND_NIR, number) for key in keys), frozenset(), "")
    birth = DATE_IN_QUERY.search(query)
    words = normalise(DATE_IN_QUERY.sub(" ", query)).split()
    if len("".join(words)) < 2:
        raise Invalid(fields={"q": [_("Type at least 2 characters, a name or a NIR.")]})
    if birth and len(words) >= 2:
        day, month, year = (int(part) for part in birth.groups())
        try:
            born = date(year, month, day).isoformat()
        except ValueError:
            raise Invalid(fields={"q": [_("The birth date typed does not exist.")]}) from None
        exact = {
            blind_index(key, KIND_NAME_DOB, f"{last} {first} {born}")
            for key in keys
            for last, first in _name_splits(words)
        }
        return _Query(frozenset(exact), frozenset(), "")
    typed = " ".join(words)
    exact = {
        blind_index(key, KIND_NAME, f"{last} {first}") for key in keys for last, first in _name_splits(words)
    }
    prefix = {prefix_index(key, KIND_LAST_NAME, typed) for key in keys}
    return _Query(frozenset(exact), frozenset(prefix), typed)


@dataclass(frozen=True)
class SearchHit:
    id: uuid.UUID
    display_name: str
    birth_date: date


def _matching_ids(user: User, indexes: frozenset[str]) -> set[uuid.UUID]:
    if not indexes:
        return set()
    rows = PatientIndex.objects.filter(practice_id=user.practice_id, value__in=indexes)
    return set(rows.values_list("patient_id", flat=True))


def _candidates(user: User, indexes: frozenset[str], limit: int) -> list[Patient]:
    """Up to ``limit`` live patients of the practice carrying one of ``indexes``, with only what a
    list shows: those whose identity was written most recently first.

    One query driven by the index lookup and read in the index's own order (practice, value, id),
    so it stops after the rows it needs, however many thousands of names share two letters. A
    patient may match several times (birth and used names, two root-key versions): duplicates
    are dropped here, hence the margin.
    """
    if not indexes:
        return []
    rows = (
        Patient.objects.filter(
            practice_id=user.practice_id,
            erased_at__isnull=True,
            indexes__practice_id=user.practice_id,
            indexes__value__in=indexes,
        )
        .only("id", "data_key_id", *SUMMARY_FIELDS)
        .order_by("-indexes__id")
    )
    found: dict[uuid.UUID, Patient] = {}
    for patient in rows[: limit * MATCHES_PER_PATIENT]:
        found.setdefault(patient.id, patient)
        if len(found) == limit:
            break
    return list(found.values())


def patient_search(*, user: User, query: str) -> list[SearchHit]:
    """Search by NIR/INS, "name first-name [dd/mm/yyyy]" or a name's start. Audited, without the query.

    Exact matches come first and are never crowded out; name prefixes are looked at only for a
    single word, or when nothing matched exactly (then at most SEARCH_PREFIX_RESULTS_MAX names),
    and only names and birth dates are decrypted.
    """
    if not policy.can_manage_identities(user):
        raise NotFound
    require_unsealed()
    parsed = _parse_query(query)
    exact = _candidates(user, parsed.exact, SEARCH_RESULTS_MAX)
    checked = len(parsed.typed) > PREFIX_MAX_LENGTH
    prefixed = (
        []
        if exact
        else _candidates(
            user, parsed.prefix, SEARCH_PREFIX_CANDIDATES if checked else SEARCH_PREFIX_RESULTS_MAX
        )
    )
    maybe = {patient.id for patient in prefixed}
    rows = exact + prefixed
    keys = data_keys_get(data_key_ids=[patient.data_key_id for patient in rows])
    hits: list[SearchHit] = []
    for patient in rows:
        key = keys.get(patient.data_key_id)
        try:
            if key is None:
                raise ShreddedKeyError("clé absente")
            summary = summary_open(patient, key)
        except CryptoError:
            continue  # shown as erased or unreadable on its own page, never as a wrong value here
        if patient.id in maybe:
            # Prefix indexes stop at 8 characters: keep names that really start with what was typed.
            names = (normalise(summary.birth_name), normalise(summary.used_name))
            if not any(name.startswith(parsed.typed) for name in names if name):
                continue
        hits.append(SearchHit(patient.id, summary.display_name, summary.birth_date))
    shown = SEARCH_RESULTS_MAX if exact else SEARCH_PREFIX_RESULTS_MAX
    hits = sorted(hits, key=lambda hit: hit.display_name)[:shown]
    with transaction.atomic():
        audit_record(
            action=Action.PATIENTS_SEARCHED, actor=user, subject_type="search", subject_id=str(len(hits))
        )
        # One event per patient shown, so each patient's access history says who saw their name.
        audit_record_patients(action=Action.PATIENT_LISTED, actor=user, patient_ids=[hit.id for hit in hits])
    return hits


def patient_id_by_number(*, user: User, number: str) -> uuid.UUID | None:
    """The user's practice's patient whose NIR or INS matricule is ``number`` (canonical), if any.

    The same exact blind-index lookup as a search by NIR, without decrypting anything: it serves
    re-imports, which then read or update the patient through the audited paths.
    """
    if not policy.can_manage_identities(user):
        raise NotFound
    require_unsealed()
    keys = current_keyring().live_purpose_keys(Purpose.BLIND_INDEX)
    ids = _matching_ids(user, frozenset(blind_index(key, KIND_NIR, number) for key in keys))
    patient = (
        Patient.objects.filter(practice_id=user.practice_id, erased_at__isnull=True, id__in=ids)
        .order_by("created_at")
        .first()
    )
    return patient.id if patient is not None else None


@dataclass(frozen=True)
class CareTeam:
    members: list[tuple[uuid.UUID, str]]  # (account id, label)
    candidates: list[tuple[uuid.UUID, str]]  # practitioners the user may add; empty if they may not


def care_team_get(*, user: User, patient_id: uuid.UUID) -> CareTeam:
    """Who follows the patient (shown with the identity), and whom ``user`` may add."""
    access = policy.patient_for(user, patient_id, need=Need.IDENTITY, include_erased=True)
    members = sorted(
        (
            (member.practitioner.id, member.practitioner.label)
            for member in access.patient.care_team.select_related("practitioner")
        ),
        key=lambda pair: pair[1].lower(),
    )
    candidates: list[tuple[uuid.UUID, str]] = []
    if access.care_team and access.patient.erased_at is None:
        inside = {member_id for member_id, _label in members}
        staff = User.objects.filter(
            practice_id=access.patient.practice_id, is_active=True, role_assignments__role=Role.PRATICIEN
        ).distinct()
        candidates = sorted(
            ((person.id, person.label) for person in staff if person.id not in inside),
            key=lambda pair: pair[1].lower(),
        )
    return CareTeam(members, candidates)
