"""The dashboard and the language switch in the authorisation matrix (see
egide/core/tests/access_matrix.py)."""

from __future__ import annotations

from egide.core.tests.access_matrix import EVERYONE, STAFF, Row

ROWS = [
    Row("web:dashboard", allowed=STAFF),
    # Django's language switch: no data behind it, open before login (the login page offers it).
    Row(
        "set_language", "POST", allowed=EVERYONE, data={"language": "en", "next": "/"}, ok={302}, redirect="/"
    ),
]
