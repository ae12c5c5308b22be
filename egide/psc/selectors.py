"""Reads of Pro Santé Connect settings and identities."""

from __future__ import annotations

from django.db.models import QuerySet

from egide.accounts.models import Practice, User
from egide.psc.models import PscConfiguration, PscIdentity


def enabled_configurations() -> QuerySet[PscConfiguration]:
    return PscConfiguration.objects.filter(enabled=True).select_related("practice").order_by("practice__name")


def psc_available() -> bool:
    """Whether the login page offers the Pro Santé Connect button."""
    return enabled_configurations().exists()


def configuration_for_practice(practice: Practice) -> PscConfiguration | None:
    return PscConfiguration.objects.filter(practice=practice).first()


def reauthentication_available(user: User) -> bool:
    """The account has an RPPS registered and its practice allows PSC logins."""
    return (
        PscIdentity.objects.filter(user=user, confirmed=True).exists()
        and PscConfiguration.objects.filter(practice_id=user.practice_id, enabled=True).exists()
    )


def staff_with_rpps(practice: Practice) -> list[tuple[User, str]]:
    """Active staff of the practice with the RPPS registered on each ("" when none)."""
    registered = dict(PscIdentity.objects.filter(practice=practice).values_list("user_id", "rpps"))
    staff = User.objects.filter(practice=practice, is_active=True).order_by("last_name", "username")
    return [(user, registered.get(user.pk, "")) for user in staff]


def psc_identity_registered(user: User) -> bool:
    """Whether the account can log in with Pro Santé Connect (for the list of each account's means)."""
    return bool(PscIdentity.objects.filter(user=user, confirmed=True).exists())
