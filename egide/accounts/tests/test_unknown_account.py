"""An unknown account and a wrong password get the same answer (status, page, cookies) after the
same work (the same statements, one password hash)."""

from __future__ import annotations

import re
from unittest.mock import patch

from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egide.accounts.models import LoginThrottle, User

# Literal values in statements (ids, digests, dates) differ by nature; their shape must not.
SQL_VALUES = re.compile(r"'[^']*'|\b\d+\b|\"s\d+_x\d+\"")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _attempt(username: str) -> tuple[int, str, list[str]]:
    response = Client().post("/connexion/", {"username": username, "password": "Mauvais-mot-de-passe-42"})
    # The CSRF token is masked afresh on every page: the only part meant to differ.
    body = CSRF_TOKEN.sub("", response.content.decode()).replace(username, "<typed>")
    return response.status_code, body, sorted(response.cookies)


def test_it_answers_an_unknown_account_like_a_wrong_password(practitioner: User) -> None:
    wrong_password = _attempt("dr.martin")
    unknown_account = _attempt("dr.inconnu")
    assert wrong_password == unknown_account
    assert wrong_password[0] == 200
    assert "Identifiant ou mot de passe incorrect" in wrong_password[1]


def _work(username: str) -> tuple[list[str], int]:
    """The statements run (without their values) and the password hashes computed by one attempt."""
    LoginThrottle.objects.all().delete()  # both attempts start from the same counters
    client = Client()
    hashes = 0
    original = MD5PasswordHasher.encode

    def counting_encode(self: MD5PasswordHasher, password: str, salt: str) -> str:
        nonlocal hashes
        hashes += 1
        return original(self, password, salt)

    with (
        CaptureQueriesContext(connection) as queries,
        patch.object(MD5PasswordHasher, "encode", counting_encode),
    ):
        client.post("/connexion/", {"username": username, "password": "Mauvais-mot-de-passe-42"})
    return [SQL_VALUES.sub("?", query["sql"]) for query in queries.captured_queries], hashes


def test_it_does_the_same_work_for_an_unknown_account_and_a_wrong_password(practitioner: User) -> None:
    assert _work("dr.martin") == _work("dr.inconnu")
    assert _work("dr.bernard")[1] == 1  # one password hash either way
