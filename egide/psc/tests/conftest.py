"""Fixtures of the Pro Santé Connect tests: the provider process and a practice configured for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper

from egide.accounts.models import Practice, User
from egide.psc.models import PscConfiguration
from egide.psc.services import psc_configure, psc_rpps_register
from egide.psc.tests.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    RPPS,
    OidcProvider,
    provider_process,
)


@pytest.fixture(scope="session")
def psc_provider() -> Iterator[OidcProvider]:
    with provider_process() as provider:
        yield provider


@pytest.fixture(autouse=True)
def _any_issuer(settings: SettingsWrapper) -> None:
    """The test provider runs on loopback: allow it (the default allows only the ANS issuers)."""
    settings.PSC_ALLOWED_ISSUERS = ["*"]


@pytest.fixture(autouse=True)
def _fresh_provider_cache() -> Iterator[None]:
    # The discovery document and keys are cached a few minutes; each test starts from the provider.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def provider(psc_provider: OidcProvider) -> OidcProvider:
    """The provider, its next login reset to the registered practitioner's card at eidas1."""
    psc_provider.next_login()
    return psc_provider


@pytest.fixture
def psc_practice(keys: Path, practice: Practice, provider: OidcProvider) -> PscConfiguration:
    return psc_configure(
        actor=None,
        actor_label="test",
        practice=practice,
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
    )


@pytest.fixture
def psc_practitioner(psc_practice: PscConfiguration, practitioner: User) -> User:
    """dr.martin, whose RPPS the administrator registered."""
    psc_rpps_register(actor=None, actor_label="test", account=practitioner, rpps=RPPS)
    return practitioner
