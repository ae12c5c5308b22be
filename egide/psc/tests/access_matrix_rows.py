"""Pro Santé Connect in the authorisation matrix (see egide/core/tests/access_matrix.py).

The matrix's practices have no PSC client: starting a login or a re-authentication shows the
"not set up" page (400) to whoever may ask, and the provider's callback without a pending login
is refused with the "expired login" page (400) for everyone. The settings page is the practice
administrator's alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from egide.core.tests.access_matrix import EVERYONE, STAFF, Call, Row, personas


def _rpps_of_the_administrator(call: Call) -> Mapping[str, object]:
    admin = call.world.users["admin_user"]
    return {"form": "rpps", "account": str(admin.pk), "rpps": "10000000009"}


ROWS = [
    # A logged-in person asking to log in again is sent on to the dashboard.
    Row("psc:login", allowed=EVERYONE, ok={302, 400}),
    Row("psc:reauthenticate", allowed=STAFF, ok={400}),
    Row("psc:callback", allowed=EVERYONE, ok={400}),
    Row("psc:settings", allowed=personas("admin_user")),
    Row(
        "psc:settings",
        "POST",
        allowed=personas("admin_user"),
        data=_rpps_of_the_administrator,
        ok={302},
        redirect="/psc/reglages/",
        label="rpps",
    ),
]
