from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from egide.accounts.models import User
from egide.audit.services import journal_prune, journal_update, journal_verify
from egide.core.tests.personas import PERSONA_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_opaque_ids_only(
    client: Client, keys: Path, practitioner: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="egide")
    client.post(reverse("accounts:login"), {"username": "dr.martin", "password": PERSONA_PASSWORD})
    client.post(reverse("accounts:login"), {"username": "dr.martin", "password": "Wrong-Lilas-99"})
    journal_update(force_head=True)
    journal_verify()
    journal_prune()
    assert "audit journal verified" in caplog.text
    for secret in ("dr.martin", "Martin", PERSONA_PASSWORD, "Wrong-Lilas-99", "Lilas"):
        assert secret not in caplog.text
