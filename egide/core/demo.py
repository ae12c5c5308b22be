"""The demo practice created by `make demo` (one account per persona of STYLE.md)."""

from __future__ import annotations

from django.db import transaction

from egide.accounts.models import Role
from egide.core.setup import CreatedAccount, first_practice_create, practice_of, staff_create

DEMO_PRACTICE_NAME = "Maison de santé des Tilleuls (démonstration)"
DEMO_ADMIN = "admin"
# username, roles, first name, last name — fictitious people.
DEMO_STAFF: tuple[tuple[str, tuple[Role, ...], str, str], ...] = (
    ("dr.martin", (Role.PRATICIEN,), "Claire", "Martin"),
    ("dr.bernard", (Role.PRATICIEN,), "Hugo", "Bernard"),
    ("secretariat", (Role.SECRETARIAT,), "Sophie", "Leroy"),
    ("dpo", (Role.DPO,), "Nadia", "Roux"),
)
DEMO_PRACTITIONERS = ("dr.martin", "dr.bernard")


def demo_seed() -> list[CreatedAccount] | None:
    """Create the demo practice and its personas; None when the demo already exists (data kept)."""
    with transaction.atomic():
        admin = first_practice_create(practice_name=DEMO_PRACTICE_NAME, siren="", admin_username=DEMO_ADMIN)
        if admin is None:
            return None
        practice = practice_of(DEMO_ADMIN)
        staff = [staff_create(practice, *persona) for persona in DEMO_STAFF]
    return [*staff, admin]
