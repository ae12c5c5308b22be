"""The journal pages in the authorisation matrix (see egide/core/tests/access_matrix.py)."""

from __future__ import annotations

from egide.core.tests.access_matrix import Row, personas

# DESIGN.md "Access control": the DPO's part is audit; the administrator checks the journal's
# integrity (verification, signed heads). Events carry opaque ids only, never patient data.
JOURNAL_READERS = personas("dpo", "admin_user")

ROWS = [
    Row("audit:journal", allowed=JOURNAL_READERS),
    Row("audit:export", allowed=JOURNAL_READERS),
]
