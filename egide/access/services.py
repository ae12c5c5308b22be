"""Writes of the access part: opening a record through break-the-glass, the DPO's review."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egide.access import policy
from egide.access.models import GRANT_MODEL, BreakGlassGrant, Verdict
from egide.accounts.models import User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Invalid, NotFound
from egide.crypto.errors import ShreddedKeyError
from egide.crypto.services import data_key_get
from egide.patients.vault import text_seal

logger = logging.getLogger(__name__)

# Long enough to say why ("urgence : patient inconscient amené par les pompiers"), short enough
# to type in an emergency.
REASON_MIN_LENGTH = 15
TEXT_MAX_LENGTH = 2000


def _clean(text: str, field: str, *, minimum: int) -> str:
    text = " ".join(text.split())
    if len(text) < minimum:
        raise Invalid(
            fields={
                field: [
                    _("Say why in at least %(minimum)s characters: the DPO reviews every such access.")
                    % {"minimum": minimum}
                ]
            }
        )
    if len(text) > TEXT_MAX_LENGTH:
        raise Invalid(fields={field: [_("2,000 characters at most.")]})
    return text


def break_glass_open(*, actor: User, patient_id: uuid.UUID, reason: str) -> BreakGlassGrant:
    """Open a patient's record to a practitioner outside its care team for EGIDE_BREAK_GLASS_HOURS.

    The caller has checked a fresh re-authentication (``require_recent_auth``). The reason is
    sealed under the patient's data key; the journal event carries the grant id, never the reason.
    The DPO sees the new grant on the dashboard and reviews it.
    """
    reason = _clean(reason, "reason", minimum=REASON_MIN_LENGTH)
    with transaction.atomic():
        patient = policy.break_glass_patient(actor, patient_id, lock=True)
        key = data_key_get(data_key_id=patient.data_key_id)
        grant_id = uuid.uuid4()
        opened_at = timezone.now()
        grant = BreakGlassGrant(
            id=grant_id,
            practice_id=patient.practice_id,
            patient=patient,
            practitioner=actor,
            reason=text_seal(GRANT_MODEL, grant_id, patient.data_key_id, key, "reason", reason),
            opened_at=opened_at,
            expires_at=opened_at + timedelta(hours=settings.BREAK_GLASS_HOURS),
        )
        event = audit_record(
            action=Action.BREAK_GLASS_OPENED,
            actor=actor,
            subject_type="break-glass",
            subject_id=grant_id,
            patient_id=patient.id,
            justification=policy.grant_reference(grant_id),
        )
        grant.opened_event_id = event.id
        grant.save(force_insert=True)
    logger.warning("break-the-glass %s opened on patient %s by %s", grant.id, patient.id, actor.pk)
    return grant


def break_glass_review(
    *, actor: User, grant_id: uuid.UUID, verdict: Verdict, comment: str
) -> BreakGlassGrant:
    """The DPO marks a break-the-glass access justified or not, with a comment (sealed). Audited;
    a later review replaces the earlier one, and both stay in the journal."""
    if not policy.can_review_break_glass(actor) or verdict == Verdict.PENDING:
        raise NotFound
    comment = _clean(comment, "comment", minimum=1) if comment.strip() else ""
    with transaction.atomic():
        grant = (
            BreakGlassGrant.objects.select_for_update()
            .select_related("patient")
            .filter(id=grant_id, practice_id=actor.practice_id)
            # A DPO who is also a practitioner never reviews their own access: another DPO does.
            .exclude(practitioner_id=actor.pk)
            .first()
        )
        if grant is None:
            raise NotFound
        patient = grant.patient
        sealed = ""
        if comment:
            # The comment is sealed under the patient's key, like the reason: once the patient is
            # erased there is no key left, and the verdict is recorded without a comment.
            try:
                key = data_key_get(data_key_id=patient.data_key_id)
            except ShreddedKeyError:
                raise Invalid(
                    fields={"comment": [_("This record was erased: record the verdict without a comment.")]}
                ) from None
            sealed = text_seal(GRANT_MODEL, grant.id, patient.data_key_id, key, "review_comment", comment)
        grant.verdict = verdict
        grant.review_comment = sealed
        grant.reviewed_by = actor
        grant.reviewed_at = timezone.now()
        grant.save(update_fields=["verdict", "review_comment", "reviewed_by", "reviewed_at"])
        audit_record(
            action=Action.BREAK_GLASS_REVIEWED,
            actor=actor,
            subject_type="break-glass",
            subject_id=grant.id,
            patient_id=patient.id,
            justification=f"{policy.grant_reference(grant.id)} {verdict.value}",
        )
    return grant
