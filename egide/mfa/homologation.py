"""Which second-factor means the practice has approved: the homologation of the ANS référentiel
d'identification électronique (regulatory-facts §5.5).

From 1 January 2026 a professional logs in with Pro Santé Connect (CPS, e-CPS), an eIDAS
"substantial" means, or a means the structure has homologated. Passkeys with user verification
and PSC are approved by default as eIDAS-substantial; TOTP and recovery codes (a backup) are
approved by default too, since most practices start with them, and the practice may withdraw
any of them. Each decision names who took it, when, and the reference of the practice's own
decision; decisions are kept (the newest one holds).

Withdrawing a means stops offering it at enrolment and flags the accounts that rely on it; it does
not lock anyone out (an account keeps logging in with what it holds until it adds an approved
means).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from egide.accounts.models import Practice, RecoveryCode, User
from egide.audit.actions import Action
from egide.audit.services import audit_record
from egide.core.errors import Conflict, Invalid
from egide.mfa.models import Means, MeansDecision, PasskeyDevice, SealedTOTPDevice

SUBJECT = "second-factor-means"
# Means that let a person in on their own; recovery codes are a backup, PSC is its own login.
PRIMARY_MEANS = (Means.TOTP, Means.PASSKEY)
REFERENCE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class MeansState:
    means: Means
    approved: bool
    decision: MeansDecision | None  # None: the default, no decision recorded yet


def means_states(*, practice: Practice) -> list[MeansState]:
    """Every means, in a fixed order, with the practice's newest decision (or the default)."""
    newest: dict[str, MeansDecision] = {}
    for decision in MeansDecision.objects.filter(practice=practice).select_related("decided_by"):
        newest.setdefault(decision.means, decision)  # ordered newest first
    return [
        MeansState(Means(value), newest[value].approved if value in newest else True, newest.get(value))
        for value in Means.values
    ]


def approved_means(*, practice: Practice) -> frozenset[Means]:
    return frozenset(state.means for state in means_states(practice=practice) if state.approved)


def means_approved(*, practice: Practice, means: Means) -> bool:
    """Whether ``means`` is approved by ``practice`` (for the PSC login too)."""
    return means in approved_means(practice=practice)


def card_only_accounts(practice: Practice) -> set[object]:
    """Active accounts of the practice whose only second factor is Pro Santé Connect (a registered
    RPPS, no authenticator, no passkey): without PSC they would have no way in at all."""
    # psc builds on mfa, not the other way round: its model is looked up, not imported.
    psc_identity = apps.get_model("psc", "PscIdentity")
    holders = set(
        psc_identity.objects.filter(
            user__practice=practice, user__is_active=True, confirmed=True
        ).values_list("user_id", flat=True)
    )
    if not holders:
        return set()
    for means in (SealedTOTPDevice, PasskeyDevice):
        holders -= set(
            means.objects.filter(user_id__in=holders, confirmed=True).values_list("user_id", flat=True)
        )
    return holders


def card_only_refuse(practice: Practice) -> None:
    """Refuse to take Pro Santé Connect away while someone logs in with nothing else."""
    if card_only_accounts(practice):
        raise Conflict(
            _(
                "Some accounts log in only with their CPS card: have each of them activate an "
                "authenticator application or a passkey first, or they would be locked out."
            )
        )


def means_decide(*, actor: User, means: Means, approved: bool, reference: str) -> MeansDecision:
    """Record the practice's decision to approve or withdraw a means (audited).

    The reference of the practice's decision is required. At least one of TOTP and passkeys stays
    approved: otherwise a new account could not enrol at all.
    """
    reference = reference.strip()
    if not reference:
        raise Invalid(fields={"reference": [_("Give the reference of the practice's decision.")]})
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise Invalid(fields={"reference": [_("The reference is too long (1,000 characters at most).")]})
    with transaction.atomic():
        # One decision at a time per practice: the "at least one primary means" rule holds.
        Practice.objects.select_for_update().filter(pk=actor.practice_id).first()
        if not approved and means == Means.PSC:
            card_only_refuse(actor.practice)
        if not approved and means in PRIMARY_MEANS:
            remaining = approved_means(practice=actor.practice) & set(PRIMARY_MEANS) - {means}
            if not remaining:
                raise Conflict(
                    _(
                        "Keep at least one of the authenticator application and passkeys approved: "
                        "otherwise new accounts could not activate a second factor."
                    )
                )
        decision = MeansDecision.objects.create(
            practice_id=actor.practice_id,
            means=means,
            approved=approved,
            reference=reference,
            decided_by=actor,
            decided_by_label=actor.label,
        )
        audit_record(
            action=Action.MEANS_APPROVED if approved else Action.MEANS_WITHDRAWN,
            actor=actor,
            practice_id=actor.practice_id,
            subject_type=SUBJECT,
            subject_id=means.value,
        )
    return decision


@dataclass(frozen=True)
class AccountMeans:
    user: User
    totp: bool
    passkeys: int
    recovery_codes_left: int
    last_used_at: datetime | None
    compliant: bool


def accounts_means(*, practice: Practice) -> list[AccountMeans]:
    """Each active account of the practice with its means and whether it complies (an approved
    TOTP application or an approved passkey)."""
    approved = approved_means(practice=practice)
    totp: dict[object, datetime | None] = dict(
        SealedTOTPDevice.objects.filter(user__practice=practice, confirmed=True).values_list(
            "user_id", "last_used_at"
        )
    )
    passkeys = {
        row["user_id"]: (row["count"], row["last"])
        for row in PasskeyDevice.objects.filter(user__practice=practice, confirmed=True)
        .values("user_id")
        .annotate(count=Count("id"), last=Max("last_used_at"))
    }
    codes = {
        row["device__user_id"]: (row["left"], row["last"])
        for row in RecoveryCode.objects.filter(device__user__practice=practice)
        .values("device__user_id")
        .annotate(left=Count("id", filter=Q(used_at__isnull=True)), last=Max("used_at"))
    }
    rows = []
    for user in User.objects.filter(practice=practice, is_active=True).order_by("username"):
        passkey_count, passkey_last = passkeys.get(user.pk, (0, None))
        codes_left, code_last = codes.get(user.pk, (0, None))
        uses = [at for at in (totp.get(user.pk), passkey_last, code_last) if at is not None]
        has_totp = user.pk in totp
        rows.append(
            AccountMeans(
                user=user,
                totp=has_totp,
                passkeys=passkey_count,
                recovery_codes_left=codes_left,
                last_used_at=max(uses) if uses else None,
                compliant=(has_totp and Means.TOTP in approved)
                or (passkey_count > 0 and Means.PASSKEY in approved),
            )
        )
    return rows
