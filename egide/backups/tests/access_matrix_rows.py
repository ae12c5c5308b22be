"""The backups pages in the authorisation matrix (see egide/core/tests/access_matrix.py).

Backups are the administrator's; the DPO reads their status (evidence for the CNIL).
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
    # An empty form: the administrator gets it back with its errors (400), anyone else a 404.
    Row("backups:destination_add", "POST", allowed=personas("admin_user"), data={}, ok={400}),
    Row(
        "backups:destination_disable",
        "POST",
        allowed=personas("admin_user"),
        args=_fresh_destination,
        ok={302},
        redirect="/sauvegardes/",
    ),
    Row(
        "backups:destination_enable",
        "POST",
        allowed=personas("admin_user"),
        args=_fresh_destination,
        ok={302},
        redirect="/sauvegardes/",
    ),
]
