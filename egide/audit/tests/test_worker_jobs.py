from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit.models import Head, Leaf
from egide.audit.tasks import journal_prune_job, journal_update_job
from egide.audit.tests.journal import record_events

pytestmark = pytest.mark.django_db


def test_it_places_events_and_signs_the_first_head_from_the_worker(keys: Path) -> None:
    record_events(3)
    assert journal_update_job.call_local() == 3
    assert Head.objects.get().size == 3
    assert Leaf.objects.count() == 4  # and the "head signed" event, placed after it


def test_it_prunes_nothing_young_from_the_worker(keys: Path) -> None:
    record_events(2)
    assert journal_prune_job.call_local() == 0
