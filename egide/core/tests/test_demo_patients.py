"""The demo's synthetic patients: valid demo identifiers, notes, spread over the practitioners' care teams."""

from __future__ import annotations

from pathlib import Path

from egide.accounts.models import User
from egide.core.demo_patients import demo_patients_seed
from egide.patients.documents import document_open_for_user
from egide.patients.identifiers import IdentityStatus, InsOid, nir_validate
from egide.patients.models import CareTeamMember, Document, Note, Patient
from egide.patients.selectors import patient_get_for_user


def test_it_creates_valid_patients_with_notes_for_each_practitioner(
    keys: Path, practitioner: User, practitioner2: User
) -> None:
    progress: list[int] = []
    demo_patients_seed(
        practitioners=[practitioner, practitioner2],
        count=15,
        progress=lambda done, total: progress.append(done),
    )
    assert progress == list(range(1, 16))
    assert Patient.objects.count() == 15
    assert {member.practitioner_id for member in CareTeamMember.objects.all()} == {
        practitioner.pk,
        practitioner2.pk,
    }
    for patient in Patient.objects.all():
        follower = CareTeamMember.objects.get(patient=patient).practitioner
        record = patient_get_for_user(user=follower, patient_id=patient.id)
        assert record.identity is not None
        assert nir_validate(record.identity.nir).value == record.identity.nir
        assert record.identity.email.endswith("@example.org")
        if record.identity_status == IdentityStatus.QUAL:
            assert record.ins_oid == InsOid.DEMO
        assert 1 <= Note.objects.filter(patient=patient).count() <= 10


def test_some_demo_patients_have_a_readable_pdf_report(keys: Path, practitioner: User) -> None:
    demo_patients_seed(practitioners=[practitioner], count=2, progress=lambda done, total: None)
    document = Document.objects.get()
    opened = document_open_for_user(
        user=practitioner, patient_id=document.patient_id, document_id=document.id
    )
    with opened.stream as stream:
        content = stream.read()
    assert opened.media_type == "application/pdf"
    assert content.startswith(b"%PDF")
