"""Synthetic patients for the demo practice: Faker fr_FR identities, demo NIRs and INS, notes.

Every value is invented; NIRs are built with a valid key and INS use the demo OID
(1.2.250.1.213.1.4.11, regulatory-facts §6.3) so nobody mistakes them for real ones.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils.text import slugify
from faker import Faker

from egide.accounts.models import User
from egide.patients.documents import document_add
from egide.patients.identifiers import IdentityStatus, InsOid
from egide.patients.services import note_add, patient_create
from egide.patients.vault import Identity

BIRTHPLACES = ("75056", "69123", "13055", "31555", "33063", "44109", "59350", "67482", "2A004", "97411")
REASONS = (
    "renouvellement d'ordonnance",
    "fièvre depuis trois jours",
    "douleur lombaire",
    "suivi de l'hypertension",
    "certificat de sport",
    "vaccination antigrippale",
    "toux persistante",
    "suivi du diabète de type 2",
    "entorse de la cheville",
    "bilan annuel",
)
FINDINGS = (
    "Examen clinique sans particularité.",
    "Tension artérielle 13/8, pouls régulier.",
    "Auscultation pulmonaire claire.",
    "Abdomen souple, indolore.",
    "Température 38,2 °C.",
)
PLANS = (
    "Traitement renouvelé pour trois mois.",
    "Paracétamol si besoin, revoir si persistance.",
    "Bilan sanguin prescrit.",
    "Repos et kinésithérapie.",
    "Prochain contrôle dans six mois.",
)


def demo_nir(rng: random.Random, sex: str, birth: date, birthplace: str) -> str:
    """A NIR with a valid key; Corsican 2A/2B become 19/18 for the key (regulatory-facts §6.1)."""
    body = f"{1 if sex == 'M' else 2}{birth:%y}{birth:%m}{birthplace}{rng.randint(1, 999):03d}"
    numeric = body.replace("2A", "19").replace("2B", "18")
    return f"{body}{97 - int(numeric) % 97:02d}"


def demo_identity(fake: Faker, rng: random.Random) -> tuple[Identity, IdentityStatus]:
    sex = rng.choice("FM")
    first = fake.first_name_female() if sex == "F" else fake.first_name_male()
    second = fake.first_name_female() if sex == "F" else fake.first_name_male()
    birth = date(1935, 1, 1) + timedelta(days=rng.randint(0, 365 * 88))
    birthplace = rng.choice(BIRTHPLACES)
    nir = demo_nir(rng, sex, birth, birthplace)
    status = rng.choice([IdentityStatus.PROV, IdentityStatus.VALI, IdentityStatus.QUAL, IdentityStatus.QUAL])
    last = fake.last_name()
    identity = Identity(
        birth_name=last,
        birth_first_names=(first, second),
        birth_date=birth,
        sex=sex,
        used_name=fake.last_name() if sex == "F" and rng.random() < 0.3 else "",
        birthplace_cog=birthplace,
        nir=nir,
        ins_matricule=nir if status is IdentityStatus.QUAL else "",
        address=f"{fake.street_address()}\n{fake.postcode()} {fake.city()}",
        phone=fake.phone_number(),
        email=f"{slugify(first)}.{slugify(last)}@example.org",
    )
    return identity, status


def demo_note(rng: random.Random) -> str:
    return f"Consultation : {rng.choice(REASONS)}. {rng.choice(FINDINGS)} {rng.choice(PLANS)}"


# One patient in REPORT_EVERY gets a generated PDF report among its documents.
REPORT_EVERY = 40


def demo_report_pdf(identity: Identity, author: User, text: str, written_on: date) -> bytes:
    """A one-page consultation report, rendered by WeasyPrint like Égide's other PDFs."""
    from weasyprint import HTML  # heavy import (Pango), only when the demo is seeded

    html = render_to_string(
        "core/demo_report.html",
        {
            "name": identity.display_name,
            "birth_date": identity.birth_date,
            "written_on": written_on,
            "text": text,
            "author": author.get_full_name(),
        },
    )
    pdf = HTML(string=html).write_pdf()
    return pdf if isinstance(pdf, bytes) else b""


def demo_patients_seed(
    *, practitioners: list[User], count: int, progress: Callable[[int, int], None], seed: int = 2026
) -> int:
    """Create ``count`` patients spread over ``practitioners`` (their care teams), 1–10 notes each,
    and a PDF report for one patient in REPORT_EVERY."""
    fake, rng = Faker("fr_FR"), random.Random(seed)  # noqa: S311 (seeded fake data, nothing secret)
    fake.seed_instance(seed)
    today = date.today()
    for number in range(1, count + 1):
        author = practitioners[number % len(practitioners)]
        identity, status = demo_identity(fake, rng)
        saved = patient_create(
            actor=author,
            identity=identity,
            ins_oid=InsOid.DEMO if identity.ins_matricule else "",
            identity_status=status,
        )
        for _note in range(rng.randint(1, 10)):
            written = today - timedelta(days=rng.randint(0, 3650))
            note_add(actor=author, patient_id=saved.patient_id, text=demo_note(rng), written_on=written)
        if number % REPORT_EVERY == 1:
            pdf = demo_report_pdf(identity, author, demo_note(rng), today)
            document_add(
                actor=author, patient_id=saved.patient_id, filename="compte-rendu.pdf", upload=io.BytesIO(pdf)
            )
        progress(number, count)
    return count
