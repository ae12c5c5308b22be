"""The token page: creating needs a recent re-authentication; the value is shown once, only its
SHA-256 is kept, the list shows the prefix; creation and revocation are audited."""

from __future__ import annotations

import hashlib
import re
import time

from django.test import Client

from egide.accounts.login_steps import FACTOR_AT_SESSION_KEY, PASSWORD_AT_SESSION_KEY
from egide.accounts.models import ApiToken, TokenScope, User
from egide.audit.models import Event

TOKEN = re.compile(r"egd_[A-Za-z0-9_\-]{43}")


def test_it_shows_the_value_once_and_keeps_only_its_digest(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    response = client.post("/compte/jetons/nouveau/", {"name": "Logiciel de rendez-vous", "scope": "read"})
    assert response.status_code == 200
    found = TOKEN.findall(response.content.decode())
    assert len(found) == 1
    value = found[0]
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(value.encode()).hexdigest()
    assert token.prefix == value[:12]
    assert token.user == practitioner
    assert token.practice_id == practitioner.practice_id
    assert token.scope == TokenScope.READ
    stored = [str(field.value_from_object(token)) for field in ApiToken._meta.fields]
    assert not any(value in column or value[12:] in column for column in stored)
    listing = client.get("/compte/jetons/").content.decode()
    assert token.prefix in listing
    assert value not in listing
    assert Event.objects.filter(action="accounts:token:created", subject_id=str(token.id)).count() == 1


def test_it_asks_for_a_recent_re_authentication_before_creating(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    session = client.session
    session[PASSWORD_AT_SESSION_KEY] = session[FACTOR_AT_SESSION_KEY] = time.time() - 24 * 3600
    session.save()
    response = client.post("/compte/jetons/nouveau/", {"name": "Intégration", "scope": "read"})
    assert response.status_code == 302
    assert response["Location"].startswith("/reauthentification/")
    assert not ApiToken.objects.exists()


def test_it_revokes_only_ones_own_tokens_and_audits_it(
    client: Client, practitioner: User, practitioner2: User
) -> None:
    client.force_login(practitioner)
    client.post("/compte/jetons/nouveau/", {"name": "Intégration", "scope": "read-write"})
    token = ApiToken.objects.get()
    client.force_login(practitioner2)
    assert client.post(f"/compte/jetons/{token.id}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    client.force_login(practitioner)
    assert client.post(f"/compte/jetons/{token.id}/revoquer/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(action="accounts:token:revoked", subject_id=str(token.id)).count() == 1


def test_it_refuses_an_expiry_in_the_past(client: Client, practitioner: User) -> None:
    client.force_login(practitioner)
    response = client.post(
        "/compte/jetons/nouveau/", {"name": "Intégration", "scope": "read", "expires_on": "2000-01-01"}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
