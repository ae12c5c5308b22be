"""Pages opened by role answer like a missing page to anyone else."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path

from egide.accounts.decorators import require_role
from egide.accounts.models import Role, User


@require_role(Role.DPO, Role.ADMIN)
def privacy_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("réservé")


urlpatterns = [path("reserve/", privacy_only), path("", include("egide.urls"))]

pytestmark = pytest.mark.urls("egide.accounts.tests.test_require_role")


@pytest.mark.parametrize(("persona", "status"), [("dpo", 200), ("admin_user", 200), ("practitioner", 404)])
def test_it_opens_the_page_to_the_listed_roles_only(
    client: Client, persona: str, status: int, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/reserve/").status_code == status


def test_it_sends_anonymous_visitors_to_login(client: Client, db: None) -> None:
    response = client.get("/reserve/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")
