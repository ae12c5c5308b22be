"""Reads for the administrator's team pages (own practice only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from egide.accounts.models import Role, RoleAssignment, User
from egide.accounts.throttling import login_locks
from egide.core.errors import NotFound
from egide.staff.models import AccountStatus


@dataclass(frozen=True)
class TeamMember:
    user: User
    roles: list[str]
    locked_until: datetime | None
    dormant_since: datetime | None
    departed_at: datetime | None

    @property
    def awaiting_invitation(self) -> bool:
        """Invited, but no password chosen yet."""
        return self.user.is_active and not self.user.has_usable_password()


def team_of_practice(*, actor: User) -> list[TeamMember]:
    """Every account of the administrator's practice, with its roles, lock and lifecycle flags."""
    if Role.ADMIN not in actor.role_set():
        raise NotFound
    users = list(
        User.objects.filter(practice_id=actor.practice_id)
        .select_related("staff_status")
        .prefetch_related(Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role")))
        .order_by("last_name", "first_name", "username")
    )
    locks = login_locks(usernames=[user.username for user in users])
    members = []
    for user in users:
        status: AccountStatus | None = getattr(user, "staff_status", None)
        members.append(
            TeamMember(
                user=user,
                roles=[str(Role(assignment.role).label) for assignment in user.role_assignments.all()],
                locked_until=locks.get(user.username),
                dormant_since=status.dormant_since if status and user.is_active else None,
                departed_at=status.departed_at if status and not user.is_active else None,
            )
        )
    return members


def member_of_practice(*, user: User) -> TeamMember:
    """One account, already fetched for the administrator's practice (``account_of_practice``)."""
    status: AccountStatus | None = AccountStatus.objects.filter(user=user).first()
    return TeamMember(
        user=user,
        roles=sorted(str(Role(role).label) for role in user.role_set()),
        locked_until=login_locks(usernames=[user.username]).get(user.username),
        dormant_since=status.dormant_since if status and user.is_active else None,
        departed_at=status.departed_at if status and not user.is_active else None,
    )
