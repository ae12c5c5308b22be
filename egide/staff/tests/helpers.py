"""Small helpers shared by the staff tests."""

from __future__ import annotations

from django.test import Client

from egide.accounts.models import User
from egide.accounts.tests.logins import EgideClient, log_in_verified
from egide.audit.models import Event

LOGIN_PAGE = "/connexion/"


def logged_in(user: User, *, user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0") -> Client:
    """A new browser of ``user``, past both factors, with one request made (its session recorded)."""
    client = EgideClient(HTTP_USER_AGENT=user_agent)
    log_in_verified(client, user)
    assert client.get("/").status_code == 200
    return client


def lands_on_login(client: Client, path: str = "/") -> bool:
    response = client.get(path)
    return response.status_code == 302 and str(response["Location"]).startswith(LOGIN_PAGE)


def actions_about(subject_id: object) -> list[str]:
    return list(
        Event.objects.filter(subject_id=str(subject_id)).order_by("id").values_list("action", flat=True)
    )
