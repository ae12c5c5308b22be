"""Per-patient data keys in the database: stored wrapped only, read back, shredded for good."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.crypto.errors import ShreddedKeyError, UnknownKeyError
from egide.crypto.models import WrappedKey
from egide.crypto.runtime import shredding_journal
from egide.crypto.selectors import wrapped_key_counts
from egide.crypto.services import data_key_create, data_key_destroy, data_key_get

pytestmark = pytest.mark.django_db
PLACE = "patients.Patient|0b7c5a52-8d8e-4c4e-9a43-3f3f0c1d2e11"


def test_it_creates_a_key_that_reads_back_and_is_stored_only_wrapped(keys: Path) -> None:
    data_key_id, data_key = data_key_create(aad_context=PLACE)

    assert data_key_id.startswith("dk-")
    assert data_key_get(data_key_id=data_key_id) == data_key
    row = WrappedKey.objects.get(pk=data_key_id)
    assert row.wrapped.startswith("v1$root-1$")
    assert row.root_version == 1 and row.aad_context == PLACE
    assert data_key.hex() not in row.wrapped
    assert wrapped_key_counts() == {1: 1}


def test_it_refuses_a_key_moved_to_another_place(keys: Path) -> None:
    data_key_id, _ = data_key_create(aad_context=PLACE)
    WrappedKey.objects.filter(pk=data_key_id).update(aad_context="patients.Patient|other")

    with pytest.raises(Exception, match="altérée"):
        data_key_get(data_key_id=data_key_id)


def test_it_destroys_a_key_for_good_even_from_an_older_database_copy(keys: Path) -> None:
    data_key_id, _ = data_key_create(aad_context=PLACE)
    older_copy = WrappedKey.objects.get(pk=data_key_id)

    data_key_destroy(data_key_id=data_key_id)

    assert not WrappedKey.objects.filter(pk=data_key_id).exists()
    assert shredding_journal().contains(data_key_id)
    with pytest.raises(ShreddedKeyError, match="effacées définitivement"):
        data_key_get(data_key_id=data_key_id)
    older_copy.save(force_insert=True)  # an old backup restored over the database
    with pytest.raises(ShreddedKeyError):
        data_key_get(data_key_id=data_key_id)


def test_it_treats_a_key_journaled_but_not_yet_deleted_as_destroyed(keys: Path) -> None:
    data_key_id, _ = data_key_create(aad_context=PLACE)
    shredding_journal().append(data_key_id)  # a crash between the two steps of a destroy

    with pytest.raises(ShreddedKeyError):
        data_key_get(data_key_id=data_key_id)


def test_it_says_when_a_key_does_not_exist(keys: Path) -> None:
    with pytest.raises(UnknownKeyError, match="introuvable"):
        data_key_get(data_key_id="dk-00000000-0000-4000-8000-000000000000")


def test_it_purges_wrapped_copies_the_journal_already_lists_and_journals_each(keys: Path) -> None:
    from egide.audit.actions import Action
    from egide.audit.models import Event
    from egide.crypto.services import data_keys_shredded_purge

    gone, _key = data_key_create(aad_context="patients.Patient|gone")
    kept, _key = data_key_create(aad_context="patients.Patient|kept")
    shredding_journal().append(gone)  # a crash between the journal and the delete

    assert data_keys_shredded_purge() == 1

    assert list(WrappedKey.objects.values_list("data_key_id", flat=True)) == [kept]
    destroyed = Event.objects.filter(action=Action.DATA_KEY_DESTROYED)
    assert list(destroyed.values_list("subject_id", flat=True)) == [gone]
