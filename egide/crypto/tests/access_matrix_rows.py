"""The key status page in the authorisation matrix (see egide/core/tests/access_matrix.py)."""

from __future__ import annotations

from egide.core.tests.access_matrix import Row, personas

ROWS = [Row("crypto:status", allowed=personas("admin_user"))]
