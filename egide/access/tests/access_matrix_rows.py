"""The access part's pages in the authorisation matrix (see egide/core/tests/access_matrix.py)."""

from __future__ import annotations

from collections.abc import Mapping

from egide.access.services import break_glass_open
from egide.core.tests.access_matrix import OUTSIDE_CARE_TEAM, Call, Row, personas

REASON = "Patient vu en urgence au cabinet, médecin traitant absent."

# The patient's trail: the care team's practitioner and the practice's DPO (issue 5 item 8).
TRAIL = {
    "care_team": personas("practitioner", "dpo"),
    "practice": personas("practitioner2", "dpo"),
    "other_practice": personas("outsider"),
}
DPO = personas("dpo")


def _grant(call: Call) -> Mapping[str, object]:
    """A fresh break-the-glass grant of the practice: dr.bernard into dr.martin's patient."""
    grant = break_glass_open(
        actor=call.world.users["practitioner2"],
        patient_id=call.world.targets["care_team"].patient_id,
        reason=REASON,
    )
    return {"grant_id": grant.id}


ROWS = [
    Row("access:break_glass_list", allowed=DPO),
    Row("access:break_glass_detail", allowed=DPO, args=_grant),
    Row(
        "access:break_glass_detail",
        "POST",
        allowed=DPO,
        args=_grant,
        data={"verdict": "justified", "comment": "Urgence vérifiée."},
        ok={302},
        redirect="/acces/bris-de-glace/",
    ),
    # Break-the-glass is for a practitioner of the practice outside the care team, nobody else.
    Row("access:break_glass_open", allowed=OUTSIDE_CARE_TEAM),
    Row(
        "access:break_glass_open",
        "POST",
        allowed=OUTSIDE_CARE_TEAM,
        data={"reason": REASON},
        ok={302},
        redirect="/patients/",
    ),
    Row(
        "access:trail_lookup",
        allowed=DPO,
        data=lambda call: {"patient": str(call.world.targets["care_team"].patient_id)},
        ok={302},
        redirect="/acces/patients/",
    ),
    Row("access:trail", allowed=TRAIL),
    Row("access:trail_pdf", allowed=TRAIL),
]
