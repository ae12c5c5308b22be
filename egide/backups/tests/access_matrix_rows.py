"""The backups pages in the authorisation matrix (see egide/core/tests/access_matrix.py).

Backups are the administrator's; the DPO reads their status (evidence for the CNIL). The matrix's
world hosts two practices (the outsider's): a shared installation, whose destinations only its
operator changes, on the server. The administrator reaches the management routes and is told so
(403, nothing changed); anyone else gets a 404. test_pages.py covers the single-practice case.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from egide.backups.models import Destination
from egide.core.tests.access_matrix import Call, Row, personas


def _fresh_destination(call: Call) -> Mapping[str, object]:
    # Only the row is needed to enable or disable it: no repository is opened.
    name = f"d-{uuid.uuid4().hex[:8]}"
    Destination.objects.create(name=name, kind="local", location=f"/srv/{name}")
    return {"name": name}


ROWS = [
    Row("backups:status", allowed=personas("admin_user", "dpo")),
    Row("backups:destination_add", "POST", allowed=personas("admin_user"), data={}, ok={403}),
    Row(
        "backups:destination_disable",
        "POST",
        allowed=personas("admin_user"),
        args=_fresh_destination,
        ok={403},
    ),
    Row(
        "backups:destination_enable",
        "POST",
        allowed=personas("admin_user"),
        args=_fresh_destination,
        ok={403},
    ),
]
