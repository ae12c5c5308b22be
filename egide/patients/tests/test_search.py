"""Search through blind indexes only: NIR, name + first name (+ birth date), name prefixes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from egide.accounts.models import User
from egide.audit.models import Event
from egide.core.errors import Invalid
from egide.patients.selectors import patient_search
from egide.patients.services import patient_create
from egide.patients.tests.conftest import valid_nir
from egide.patients.vault import Identity


@pytest.mark.parametrize(
    "query",
    [
        valid_nir("2840375056123"),
        "2 84 03 75 056 123 " + valid_nir("2840375056123")[-2:],
        "LEFEVRE D ARC zephyrine",
        "lefèvre-d'arc Zéphyrine 09/03/1984",
        "Quintessa Zephyrine",
        "le",
        "LEFEV",
        "quint",
    ],
)
def test_it_finds_the_patient_however_she_is_typed(
    secretary: User, lefevre: uuid.UUID, durand: uuid.UUID, query: str
) -> None:
    hits = patient_search(user=secretary, query=query)
    assert [hit.id for hit in hits] == [lefevre]
    assert hits[0].display_name == "QUINTESSA Zéphyrine"


@pytest.mark.parametrize(
    "query", ["Lefèvre Paul", "Lefèvre-D'Arc Zéphyrine 10/03/1984", "Lefevre-d'arcx", "Martin"]
)
def test_it_finds_nobody_on_a_near_miss(secretary: User, lefevre: uuid.UUID, query: str) -> None:
    assert patient_search(user=secretary, query=query) == []


def test_it_explains_a_bad_nir_or_a_too_short_query(secretary: User, lefevre: uuid.UUID) -> None:
    with pytest.raises(Invalid) as bad_key:
        patient_search(user=secretary, query="295109912611199")
    assert bad_key.value.fields["q"] == ["Clé NIR invalide : 93 attendu."]
    with pytest.raises(Invalid):
        patient_search(user=secretary, query="L")


def test_the_search_is_audited_without_what_was_typed(secretary: User, lefevre: uuid.UUID) -> None:
    patient_search(user=secretary, query="Quintessa")
    event = Event.objects.filter(action="patient:records:searched").get()
    assert event.actor_id == str(secretary.pk)
    assert "uintessa" not in " ".join(str(value) for value in event.__dict__.values()).lower()


def test_another_practice_finds_nothing(outsider: User, lefevre: uuid.UUID) -> None:
    assert patient_search(user=outsider, query="Quintessa") == []


def test_a_nir_typed_with_spaces_at_creation_is_found_both_ways(
    secretary: User, practitioner: User, keys: object
) -> None:
    nir = valid_nir("1840375056123")
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    identity = Identity(
        birth_name="Vitale", birth_first_names=("Carte",), birth_date=date(1984, 3, 9), sex="M", nir=spaced
    )
    created = patient_create(actor=practitioner, identity=identity).patient_id
    assert [hit.id for hit in patient_search(user=secretary, query=nir)] == [created]
    assert [hit.id for hit in patient_search(user=secretary, query=spaced)] == [created]


def test_each_patient_shown_in_results_gets_an_event_in_their_trail(
    secretary: User, lefevre: uuid.UUID
) -> None:
    patient_search(user=secretary, query="Quintessa")
    assert Event.objects.filter(action="patient:record:listed", patient_id=str(lefevre)).count() == 1


def test_an_exact_name_is_found_even_among_many_with_the_same_start(
    secretary: User, practitioner: User, keys: object
) -> None:
    born = date(1980, 1, 1)
    zoe = Identity(birth_name="Lefebvre", birth_first_names=("Zoé",), birth_date=born, sex="F")
    created = patient_create(actor=practitioner, identity=zoe).patient_id
    # More recently written namesakes than any search shows.
    for number in range(210):
        identity = Identity(
            birth_name="Lefebvre", birth_first_names=(f"Prénom{number:03d}",), birth_date=born, sex="M"
        )
        patient_create(actor=practitioner, identity=identity)
    assert [hit.id for hit in patient_search(user=secretary, query="Lefebvre Zoé")] == [created]
    # A name's first letters list at most 20 (data minimisation), those written last.
    shown = patient_search(user=secretary, query="lefeb")
    assert sorted(hit.display_name for hit in shown) == [f"LEFEBVRE Prénom{n:03d}" for n in range(190, 210)]
