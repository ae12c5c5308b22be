from __future__ import annotations

from pathlib import Path

import pytest

from egide.audit.models import Head
from egide.audit.services import journal_update
from egide.audit.tests.journal import record_events
from egide.audit.verify import journal_check
from egide.crypto.services import root_key_rotate

pytestmark = pytest.mark.django_db


def test_it_keeps_heads_signed_before_a_root_rotation_verifiable(keys: Path) -> None:
    record_events(5)
    journal_update(force_head=True)
    root_key_rotate()  # adds version 2, makes it current, retires version 1 (its key stays)
    record_events(5)
    journal_update(force_head=True)
    assert list(Head.objects.order_by("size").values_list("key_version", flat=True)) == [1, 2]
    assert "\u2014 egide-audit-v2 " in Head.objects.order_by("size").last().checkpoint  # type: ignore[union-attr]
    assert journal_check().heads == 2
