"""Reads of the access part: the DPO's break-the-glass reviews and a patient's access trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from egide.access import policy
from egide.access.models import GRANT_MODEL, BreakGlassGrant, Verdict
from egide.access.policy import Need
from egide.accounts.models import Role, User
from egide.audit.actions import Action, Outcome
from egide.audit.models import Event
from egide.audit.services import audit_record
from egide.core.errors import NotFound
from egide.crypto.errors import CryptoError, ShreddedKeyError
from egide.crypto.services import data_key_get
from egide.patients.errors import RecordUnreadable
from egide.patients.models import Patient
from egide.patients.trace import patient_event
from egide.patients.vault import summary_open, text_open

BREAK_GLASS_PREFIX = "break-glass:"


def _open_text(
    patient: Patient, key: bytes | None, grant_id: uuid.UUID, field: str, envelope: str
) -> str | None:
    """A sealed reason or comment in clear; None once the patient was erased (no key left). An
    envelope that does not open under its key is an alteration: it fails, never shows as erased."""
    if not envelope:
        return ""
    if key is None:
        return None
    try:
        return text_open(GRANT_MODEL, grant_id, patient.data_key_id, key, field, envelope)
    except CryptoError:
        raise RecordUnreadable from None


def _patient_key(patient: Patient) -> bytes | None:
    """The patient's data key; None once erased (here, or in the shredding journal)."""
    if patient.erased_at is not None:
        return None
    try:
        return data_key_get(data_key_id=patient.data_key_id)
    except ShreddedKeyError:
        return None
    except CryptoError:
        raise RecordUnreadable from None


# --- The DPO's review --------------------------------------------------------------


def break_glass_pending_count(*, user: User) -> int:
    """The in-app alert: break-the-glass accesses of the practice the DPO has not reviewed yet."""
    if not policy.can_review_break_glass(user):
        return 0
    return BreakGlassGrant.objects.filter(practice_id=user.practice_id, verdict=Verdict.PENDING).count()


def break_glass_list(*, user: User) -> QuerySet[BreakGlassGrant]:
    """Every break-the-glass access of the DPO's practice, those to review first, newest first.
    Ids, names of staff and times only: reasons are read one at a time (and traced)."""
    if not policy.can_review_break_glass(user):
        raise NotFound
    return (
        BreakGlassGrant.objects.filter(practice_id=user.practice_id)
        .select_related("practitioner", "reviewed_by")
        .order_by("verdict", "-opened_at")  # "" (to review) sorts first
    )


@dataclass(frozen=True)
class GrantDetail:
    grant: BreakGlassGrant
    reason: str | None  # None: the patient was erased since, the reason with them
    comment: str | None
    active: bool


def break_glass_get(*, user: User, grant_id: uuid.UUID) -> GrantDetail:
    """One grant with its reason in clear, for the DPO. Reading the reason is traced."""
    if not policy.can_review_break_glass(user):
        raise NotFound
    grant = (
        BreakGlassGrant.objects.select_related("patient", "practitioner", "reviewed_by")
        .filter(id=grant_id, practice_id=user.practice_id)
        .first()
    )
    if grant is None:
        raise NotFound
    key = _patient_key(grant.patient)
    reason = _open_text(grant.patient, key, grant.id, "reason", grant.reason)
    comment = _open_text(grant.patient, key, grant.id, "review_comment", grant.review_comment)
    with transaction.atomic():
        audit_record(
            action=Action.BREAK_GLASS_CONSULTED,
            actor=user,
            subject_type="break-glass",
            subject_id=grant.id,
            patient_id=grant.patient_id,
            justification=policy.grant_reference(grant.id),
        )
    return GrantDetail(grant, reason, comment, grant.expires_at > timezone.now())


# --- The patient's access trail ----------------------------------------------------


@dataclass(frozen=True)
class TrailEntry:
    time: datetime
    who: str
    roles: tuple[str, ...]
    roles_today: bool  # only today's roles are known (the journal's older part was pruned)
    action: str
    outcome: str
    succeeded: bool
    break_glass: bool
    reason: str | None  # the break-the-glass reason, when the access was made under a grant


@dataclass(frozen=True)
class Trail:
    patient_id: uuid.UUID
    display_name: str | None  # None once erased
    birth_date: date | None
    entries: list[TrailEntry]
    total: int


def _action_label(value: str) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return value


def _grant_id(event: Event) -> uuid.UUID | None:
    if not event.justification.startswith(BREAK_GLASS_PREFIX):
        return None
    try:
        return uuid.UUID(event.justification[len(BREAK_GLASS_PREFIX) :].split()[0])
    except (ValueError, IndexError):
        return None


def _valid_ids(actor_ids: set[str]) -> set[str]:
    valid = set()
    for actor_id in actor_ids:
        try:
            valid.add(str(uuid.UUID(actor_id)))
        except ValueError:
            continue
    return valid


def _roles_now(actor_ids: set[str]) -> dict[str, tuple[str, ...]]:
    """The roles each person holds today (an account since deleted shows none)."""
    users = User.objects.filter(id__in=actor_ids).prefetch_related("role_assignments")
    return {
        str(user.id): tuple(sorted(str(Role(a.role).label) for a in user.role_assignments.all()))
        for user in users
    }


def _roles_at(events: list[Event]) -> dict[int, tuple[tuple[str, ...], bool]]:
    """For each event, the roles its author held when it was recorded, and whether those are only
    today's roles.

    Every role change is journalled from the account's creation on (ROLE_GRANTED, ROLE_REVOKED,
    subject "<account>/<role>"), so replaying them up to an event gives the roles of that moment:
    a secretary since made practitioner shows as secretary on what she did before. When the
    account's creation is no longer in the journal (pruned past retention), its history is
    incomplete and today's roles are shown, marked as such.
    """
    ids = _valid_ids({event.actor_id for event in events if event.actor_id})
    if not ids:
        return {}
    created = set(
        Event.objects.filter(
            action=Action.ACCOUNT_CREATED, subject_type="account", subject_id__in=ids
        ).values_list("subject_id", flat=True)
    )
    changes: dict[str, list[tuple[int, bool, str]]] = {actor_id: [] for actor_id in created}
    if created:
        prefixes = Q()
        for actor_id in created:
            prefixes |= Q(subject_id__startswith=f"{actor_id}/")
        rows = Event.objects.filter(
            prefixes, action__in=[Action.ROLE_GRANTED, Action.ROLE_REVOKED], subject_type="account-role"
        ).order_by("id")
        for event_id, action, subject in rows.values_list("id", "action", "subject_id"):
            actor_id, _slash, role = subject.partition("/")
            changes[actor_id].append((event_id, action == Action.ROLE_GRANTED, role))
    today = _roles_now(ids - created)
    result: dict[int, tuple[tuple[str, ...], bool]] = {}
    for event in events:
        if event.actor_id in changes:
            held: set[str] = set()
            for change_id, granted, role in changes[event.actor_id]:
                if change_id > event.id:
                    break
                (held.add if granted else held.discard)(role)
            result[event.id] = (tuple(sorted(_role_label(role) for role in held)), False)
        elif event.actor_id in today:
            result[event.id] = (today[event.actor_id], True)
    return result


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role


def trail_events(*, patient: Patient) -> QuerySet[Event]:
    """Every event of the journal about the patient, newest first (the practice's own only)."""
    return Event.objects.filter(patient_id=str(patient.id), practice_id=str(patient.practice_id)).order_by(
        "-id"
    )


def _entries(patient: Patient, key: bytes | None, events: list[Event]) -> list[TrailEntry]:
    grant_ids = {grant_id for grant_id in map(_grant_id, events) if grant_id is not None}
    grants = {grant.id: grant for grant in BreakGlassGrant.objects.filter(id__in=grant_ids, patient=patient)}
    reasons = {
        grant.id: _open_text(patient, key, grant.id, "reason", grant.reason) for grant in grants.values()
    }
    roles = _roles_at(events)
    entries = []
    for event in events:
        grant_id = _grant_id(event)
        in_grant = grant_id is not None and grant_id in grants
        entries.append(
            TrailEntry(
                time=event.time,
                who=event.actor_label or "Égide",
                roles=roles.get(event.id, ((), False))[0],
                roles_today=roles.get(event.id, ((), False))[1],
                action=_action_label(event.action),
                outcome=str(event.get_outcome_display()),
                succeeded=event.outcome == Outcome.SUCCESS,
                break_glass=in_grant,
                reason=reasons.get(grant_id) if grant_id is not None and in_grant else None,
            )
        )
    return entries


def _trail(
    patient: Patient, events: QuerySet[Event], start: int, stop: int | None, *, identity: bool = True
) -> Trail:
    """A slice of the trail; with ``identity``, the patient's name and birth date too (the trail's
    own page and PDF: the patient page has them already)."""
    key = _patient_key(patient)
    name, born = None, None
    if key is not None and identity:
        try:
            summary = summary_open(patient, key)
        except CryptoError:
            raise RecordUnreadable from None
        name, born = summary.display_name, summary.birth_date
    page = list(events[start:stop])
    return Trail(patient.id, name, born, _entries(patient, key, page), events.count())


TRAIL_PAGE_SIZE = 50


def trail_page(*, user: User, patient_id: uuid.UUID, page: int) -> Trail:
    """One page of "who accessed this record", for the care team and the DPO. Traced."""
    access = policy.patient_for(user, patient_id, need=Need.TRAIL, include_erased=True)
    events = trail_events(patient=access.patient)
    page = max(page, 1)
    # The trace of this reading comes after the page was read: it shows on the next one.
    trail = _trail(access.patient, events, (page - 1) * TRAIL_PAGE_SIZE, page * TRAIL_PAGE_SIZE)
    with transaction.atomic():
        patient_event(Action.TRAIL_VIEWED, actor=user, patient_id=patient_id)
    return trail


def trail_recent(*, user: User, patient_id: uuid.UUID, limit: int) -> Trail:
    """The latest accesses shown on the patient page itself. The page's own "record viewed"
    event traces this reading (same person, same request)."""
    access = policy.patient_for(user, patient_id, need=Need.TRAIL, include_erased=True)
    return _trail(access.patient, trail_events(patient=access.patient), 0, limit, identity=False)


def trail_full(*, user: User, patient_id: uuid.UUID) -> Trail:
    """The whole trail (for the PDF handed to the patient); the caller records the printing."""
    access = policy.patient_for(user, patient_id, need=Need.TRAIL, include_erased=True)
    return _trail(access.patient, trail_events(patient=access.patient), 0, None)
