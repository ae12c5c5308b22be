"""The authorisation matrix (issue 5 "Done when"): every URL × every persona × every patient relation.

How to add a row
================

Each app keeps its rows in ``egide/<app>/tests/access_matrix_rows.py``, as a module-level list::

    from egide.core.tests.access_matrix import CLINICAL, IDENTITY, Row, personas

    ROWS = [
        Row("patients:edit", allowed=IDENTITY),                       # a GET, 200 for the allowed
        Row("patients:note_new", "POST", allowed=CLINICAL, data={"text": "Tension 12/8."}, ok={302}),
        Row("crypto:status", allowed=personas("admin_user")),
    ]

``egide/core/tests/test_access_matrix.py`` finds every installed ``egide.*`` app's module, fails when
a URL pattern of the project (web pages and django-ninja's API operations alike) has no row, and
plays each row:

- ``route``: the URL pattern's name with its namespace (``"patients:detail"``); an API operation is
  named after its function (``"api:get_patient"``). Several rows may name one route (one per method,
  or per case, told apart by ``label``).
- ``allowed``: the personas for whom the request succeeds, spelled as conftest's fixtures
  (``practitioner``, ``practitioner2``, ``secretary``, ``dpo``, ``admin_user``, ``outsider``) plus
  ``anonymous``. When the URL names a patient (a ``patient_id`` parameter) it is a dict giving the set
  for each relation (``RELATIONS`` below); ``CLINICAL`` and ``IDENTITY`` are the usual two. Anyone
  not listed must be refused. Write the set the rules call for (DESIGN.md "Access control", issue 5),
  not what the code happens to do.
- URL arguments: ``patient_id``, ``document_id`` and ``note_id`` are filled with the relation's
  patient, one of its documents and one of its notes. Anything else: ``args=lambda call: {...}``,
  which may also create what the request needs (a fresh object to delete, say) from ``call.world``.
- ``data``: the form fields (web) or the JSON body (API), or a callable of ``call`` returning them; a
  value with ``read()`` (a file) makes it a multipart upload. A request must not spoil what other
  cells use: build a fresh victim in ``args`` or ``data`` for anything destructive.
- ``ok``: the statuses that mean success (200 unless told). A 302 must go under ``redirect`` when
  given, and otherwise anywhere but the login and re-authentication pages.
- ``sent`` and ``sent_to``: for each relation, the personas sent to another page rather than
  refused: a 302 to ``sent_to``, a URL name reversed with the patient's id. A patient's page sends
  the practitioners outside the care team to break-the-glass: ``sent=OUTSIDE_CARE_TEAM,
  sent_to=BREAK_GLASS``.
- ``scopes``: API rows only, the token scopes that may call the operation (``READ``, ``WRITE``,
  ``AGENT``, or ``ANY_SCOPE`` for an operation open without a token). Each persona calls with a
  token of the first scope in ``SCOPE_ORDER`` the row accepts; every other scope is also tried once
  by an allowed persona.

What "refused" means, exactly:

- anonymous, web page: a 302 to the login page (``?next=`` the page asked for);
- anonymous, API: a 401 (``WWW-Authenticate: Bearer``);
- a logged-in persona: the row's ``refused`` status (404 unless told: ``require_role``'s answer);
- a URL naming a patient is refused with a 404, and any refused URL that names an object (a
  patient, a token, an account…) answers exactly as for a *missing* one (the same request with ids
  no object has), so ids cannot be probed. 403 is accepted only for rows without a
  patient that say ``refused=403``; a token whose scope lacks the operation gets 403 before anything
  is looked up.

The three patient relations, seen from the personas:

- ``care_team``: a patient of the practice followed by ``practitioner`` (dr.martin);
- ``practice``: a patient of the same practice followed by ``practitioner2`` only, so *not* in
  ``practitioner``'s care team;
- ``other_practice``: a patient of the other practice, followed by ``outsider``.

Each has a note and a PDF document written by the practitioner who follows it. ``EXCLUDED`` lists
the URL patterns that need no row, each with its reason.

Every page is also asked by a session past the password but not the second factor: it must send
to the second factor, unless it is in ``egide.accounts.middleware.ALWAYS_OPEN``. Every API
operation not open to anonymous callers is also asked with a logged-in session and no token: 401.
"""

from __future__ import annotations

import functools
import importlib
import io
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from egide.accounts.login_steps import STEP_SECOND_FACTOR
from egide.accounts.middleware import ALWAYS_OPEN
from egide.accounts.models import Practice, TokenScope, User
from egide.accounts.tests.logins import EgideClient, totp_device_for
from egide.accounts.tokens import token_create
from egide.patients.documents import document_add
from egide.patients.services import note_add, patient_create
from egide.patients.vault import Identity

ANONYMOUS = "anonymous"
PERSONAS = (ANONYMOUS, "practitioner", "practitioner2", "secretary", "dpo", "admin_user", "outsider")
RELATIONS = ("care_team", "practice", "other_practice")
# Who follows each relation's patient (and wrote its note and document).
FOLLOWED_BY = {"care_team": "practitioner", "practice": "practitioner2", "other_practice": "outsider"}
API_PREFIX = "api:"
ROWS_MODULE = "tests.access_matrix_rows"

# URL patterns that need no row.
EXCLUDED = {
    "api:api-root": "django-ninja's root, there only to compute paths; a 404 for everyone (no docs page)",
}

READ = frozenset({TokenScope.READ.value, TokenScope.READ_WRITE.value})
WRITE = frozenset({TokenScope.READ_WRITE.value})
AGENT = frozenset({TokenScope.AGENT.value})
SCOPE_ORDER = (TokenScope.READ.value, TokenScope.READ_WRITE.value, TokenScope.AGENT.value)
ANY_SCOPE = frozenset(SCOPE_ORDER)  # an operation open without a token

PersonaSet = frozenset[str]
Allowed = PersonaSet | Mapping[str, PersonaSet]


def personas(*names: str) -> PersonaSet:
    unknown = set(names) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas {sorted(unknown)}; known: {PERSONAS}")
    return frozenset(names)


NOBODY = personas()
EVERYONE = personas(*PERSONAS)
STAFF = EVERYONE - {ANONYMOUS}  # every logged-in persona, of either practice
# Pages of the patient files (search, creation): practitioners and the secretariat, of either practice.
PATIENT_STAFF = personas("practitioner", "practitioner2", "secretary", "outsider")
# Notes and documents: the practitioner who follows the patient (issue 5 item 6).
CLINICAL: Mapping[str, PersonaSet] = {relation: personas(who) for relation, who in FOLLOWED_BY.items()}
# The identity: the care team's practitioner and the practice's secretariat. A practitioner of the
# practice outside the care team opens a patient through break-the-glass only (issue 5 item 7).
IDENTITY: Mapping[str, PersonaSet] = {
    "care_team": personas("practitioner", "secretary"),
    "practice": personas("practitioner2", "secretary"),
    "other_practice": personas("outsider"),
}
# Those practitioners outside the care team, and where a patient's page sends them.
OUTSIDE_CARE_TEAM: Mapping[str, PersonaSet] = {
    "care_team": personas("practitioner2"),
    "practice": personas("practitioner"),
    "other_practice": NOBODY,
}
BREAK_GLASS = "access:break_glass_open"


@dataclass(frozen=True)
class Target:
    """A relation's patient and what it holds."""

    patient_id: uuid.UUID
    document_id: uuid.UUID
    note_id: uuid.UUID


@dataclass
class World:
    """Everything a row's request may refer to, built once per test."""

    practice: Practice
    other_practice: Practice
    users: dict[str, User]  # by persona, anonymous excepted
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    @functools.cached_property
    def targets(self) -> dict[str, Target]:
        """Each relation's patient (by relation), created by the practitioner who follows it, with a
        note and a PDF; only when a row asks (most rows name no patient)."""
        targets = {}
        for relation, persona in FOLLOWED_BY.items():
            author = self.users[persona]
            identity = Identity(
                birth_name=f"Matrice-{relation}",
                birth_first_names=("Camille",),
                birth_date=date(1980, 1, 1),
                sex="F",
            )
            patient_id = patient_create(actor=author, identity=identity).patient_id
            note_id = note_add(actor=author, patient_id=patient_id, text="Tension 12/8.")
            document_id = document_add(
                actor=author, patient_id=patient_id, filename="bilan.pdf", upload=io.BytesIO(PDF)
            )
            targets[relation] = Target(patient_id, document_id, note_id)
        return targets

    def token(self, persona: str, scope: str) -> str:
        if (persona, scope) not in self.tokens:
            _row, value = token_create(user=self.users[persona], name="Matrice", scope=TokenScope(scope))
            self.tokens[persona, scope] = value
        return self.tokens[persona, scope]


@dataclass(frozen=True)
class Call:
    """What a row's ``args`` and ``data`` callables receive."""

    world: World
    persona: str
    user: User | None  # None for anonymous
    relation: str | None  # None when the URL names no patient
    target: Target | None


Data = Mapping[str, Any] | Callable[[Call], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Row:
    route: str
    method: str = "GET"
    allowed: Allowed = NOBODY
    args: Callable[[Call], Mapping[str, object]] | None = None
    data: Data = None
    ok: frozenset[int] | set[int] = frozenset({200})
    redirect: str = ""
    refused: int = 404
    scopes: frozenset[str] | None = None
    label: str = ""
    # Personas (for each relation) sent to another page instead: a 302 to ``sent_to``, a URL name
    # reversed with the relation's patient (break-the-glass: ``OUTSIDE_CARE_TEAM``, ``BREAK_GLASS``).
    sent: Mapping[str, PersonaSet] | None = None
    sent_to: str = ""

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.method, self.route, self.label) if part)

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)


def rows_discovered() -> list[Row]:
    """Every installed ``egide.*`` app's ``tests/access_matrix_rows.py`` ROWS."""
    found: list[Row] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("egide."):
            continue
        module_name = f"{config.name}.{ROWS_MODULE}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue  # the app has no rows module (or no tests package)
            raise
        found.extend(module.ROWS)
    return found


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"; "" when the pattern has none
    pattern: str
    params: frozenset[str]


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every URL pattern of the project, recursively, with its full name."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}".lstrip(":") if entry.namespace else namespace
            yield from routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        else:
            text = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}".lstrip(":") if entry.name else ""
            yield Route(name, text, frozenset(re.findall(r"<(?:\w+:)?(\w+)>", text)))


@functools.cache
def route_params() -> dict[str, frozenset[str]]:
    return {route.name: route.params for route in routes() if route.name}


def row_problems(row: Row, params: frozenset[str]) -> list[str]:
    """What is malformed in a row (its route's parameters are ``params``)."""
    problems = []
    if "patient_id" in params:
        if not isinstance(row.allowed, Mapping) or set(row.allowed) != set(RELATIONS):
            problems.append(f"allowed must give a set for each of {RELATIONS}")
        if row.refused != 404:
            problems.append("a patient's URL is refused with 404, as a missing patient")
    elif isinstance(row.allowed, Mapping):
        problems.append("allowed is one set of personas: the URL names no patient")
    if row.sent is not None and (set(row.sent) != set(RELATIONS) or not row.sent_to):
        problems.append(f"sent gives a set for each of {RELATIONS}, and sent_to the page")
    sets = row.allowed.values() if isinstance(row.allowed, Mapping) else [row.allowed]
    for persona_set in sets:
        if not persona_set <= EVERYONE:
            problems.append(f"unknown personas {sorted(persona_set - EVERYONE)}")
    if row.is_api != (row.scopes is not None):
        problems.append("scopes go with API rows, and API rows need them")
    return problems


# Parts of a page that differ on every request by design.
VOLATILE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')


def _body(response: HttpResponseBase, url: str) -> str:
    """What a person sees, without what differs by design (tokens, nonces, the page's own URL)."""
    if getattr(response, "streaming", False):
        return "<streamed>"
    text = VOLATILE.sub("", response.content.decode(errors="replace"))  # type: ignore[attr-defined]
    return text.replace(url, "<url>")


# An id no object has: a refused object is answered as this one is.
MISSING_INT_ID = 2**31 - 1


def _missing(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    if isinstance(value, int) and not isinstance(value, bool):
        return MISSING_INT_ID
    return value


def _request(
    row: Row, call: Call, scope: str | None, *, session: str = "", missing: bool = False
) -> tuple[HttpResponseBase, str]:
    """The row's request as ``call.persona``: a web session for pages, a token of ``scope`` for the
    API, or a web session past the ``"password"`` only or ``"verified"`` whatever the row. With
    ``missing``, every id of the URL is one no object has."""
    target = call.target
    defaults = (
        {}
        if target is None
        else {
            "patient_id": target.patient_id,
            "document_id": target.document_id,
            "note_id": target.note_id,
        }
    )
    params = route_params()[row.route]
    kwargs: dict[str, object] = {key: value for key, value in defaults.items() if key in params}
    if row.args is not None:
        kwargs.update(row.args(call))
    if missing:
        kwargs = {key: _missing(value) for key, value in kwargs.items()}
    url = reverse(row.route, kwargs={key: str(value) for key, value in kwargs.items()})
    data = row.data(call) if callable(row.data) else row.data
    headers: dict[str, str] = {}
    if row.is_api and not session:
        client = Client(enforce_csrf_checks=True)
        if call.persona != ANONYMOUS and scope is not None:
            headers["Authorization"] = f"Bearer {call.world.token(call.persona, scope)}"
    else:
        client = EgideClient()
        if call.user is not None and session == "password":
            client.force_login_password_only(call.user)
        elif call.user is not None:
            client.force_login(call.user)
    method = getattr(client, row.method.lower())
    if data is None:
        response = method(url, headers=headers)
    elif row.is_api and not any(hasattr(value, "read") for value in data.values()):
        response = method(url, data, content_type="application/json", headers=headers)
    elif row.method == "POST":
        response = method(url, data, headers=headers)
    else:
        response = method(url, data, content_type="application/x-www-form-urlencoded", headers=headers)
    return response, url


def _outcome(row: Row, response: HttpResponseBase) -> str:
    """``ok``, ``login`` (sent to log in), ``refused`` (the row's refused status) or ``status N → where``."""
    status = response.status_code
    location = response.get("Location", "")
    login = resolve_url(settings.LOGIN_URL)
    reauth = reverse("accounts:reauthenticate")
    if status in row.ok and status != 302:
        return "ok"
    if status == 302 and status in row.ok:
        if row.redirect and location.startswith(row.redirect):
            return "ok"
        if not row.redirect and not location.startswith((login + "?", reauth)):
            return "ok"
    if (status == 302 and location.startswith(login + "?next=")) or (
        row.is_api and status == 401 and response.get("WWW-Authenticate") == "Bearer"
    ):
        return "login"
    if status == row.refused:
        return "refused"
    return f"status {status}" + (f" → {location}" if location else "")


def _expected(row: Row, persona: str, allowed: PersonaSet) -> str:
    if persona in allowed:
        return "ok"
    return "login" if persona == ANONYMOUS else "refused"


def row_check(row: Row, world: World) -> list[str]:
    """Play ``row`` for every persona (and relation); the cells that differ from ``allowed``."""
    mismatches: list[str] = []
    scope = None if row.scopes is None else next(s for s in SCOPE_ORDER if s in row.scopes)
    relations: list[str | None] = list(RELATIONS) if isinstance(row.allowed, Mapping) else [None]
    missing_answers: dict[str, tuple[int, str]] = {}
    for persona in PERSONAS:
        user = world.users.get(persona)
        for relation in relations:
            allowed = row.allowed[relation] if isinstance(row.allowed, Mapping) and relation else row.allowed
            assert isinstance(allowed, frozenset)
            target = world.targets[relation] if relation else None
            call = Call(world, persona, user, relation, target)
            response, url = _request(row, call, scope)
            got, expected = _outcome(row, response), _expected(row, persona, allowed)
            if row.sent is not None and relation and persona in row.sent[relation]:
                assert target is not None
                expected = f"sent to {reverse(row.sent_to, kwargs={'patient_id': target.patient_id})}"
                if response.status_code == 302:
                    got = f"sent to {response['Location']}"
            where = f"{persona} on {relation}" if relation else persona
            if got != expected:
                mismatches.append(f"{where}: expected {expected}, got {got}")
                continue
            if got == "refused" and persona != ANONYMOUS and route_params()[row.route]:
                # Missing and forbidden look the same (DESIGN.md "Access control").
                if persona not in missing_answers:
                    probe, probe_url = _request(row, call, scope, missing=True)
                    missing_answers[persona] = (probe.status_code, _body(probe, probe_url))
                if (response.status_code, _body(response, url)) != missing_answers[persona]:
                    mismatches.append(f"{where}: refused, but not as a missing object is")
    if row.scopes is not None:
        mismatches.extend(_scope_check(row, world))
    return mismatches


def _scope_check(row: Row, world: World) -> list[str]:
    """Each token scope once, by an allowed persona: the row's scopes work, the others get 403."""
    assert row.scopes is not None
    cases: list[tuple[str | None, str]]
    if isinstance(row.allowed, Mapping):
        cases = [(relation, persona) for relation in RELATIONS for persona in sorted(row.allowed[relation])]
    else:
        cases = [(None, persona) for persona in sorted(row.allowed)]
    cases = [(relation, persona) for relation, persona in cases if persona != ANONYMOUS]
    if not cases:
        return []
    relation, persona = cases[0]
    call = Call(world, persona, world.users[persona], relation, world.targets[relation] if relation else None)
    mismatches = []
    for scope in SCOPE_ORDER:
        response, _url = _request(row, call, scope)
        expected = "ok" if scope in row.scopes else "status 403"
        got = _outcome(replace(row, refused=0), response)
        if got != expected:
            mismatches.append(f"{persona} with a {scope} token: expected {expected}, got {got}")
    return mismatches


def world_build(users: dict[str, User]) -> World:
    return World(users["practitioner"].practice, users["outsider"].practice, users)


def second_factor_check(row: Row, world: World) -> str | None:
    """A page asked by a session past the password but not the second factor: sent to the second
    factor, unless it is one of the few open at every step. None when it is."""
    if row.is_api or row.route in ALWAYS_OPEN | {STEP_SECOND_FACTOR}:
        return None
    user = world.users["practitioner"]
    totp_device_for(user)  # she holds a second factor: what is left is proving it
    call = Call(world, "practitioner", user, "care_team", world.targets["care_team"])
    response, _url = _request(row, call, None, session="password")
    expected = reverse(STEP_SECOND_FACTOR)
    if response.status_code == 302 and response["Location"] == expected:
        return None
    return f"expected a 302 to {expected}, got {_outcome(row, response)}"


def session_api_check(row: Row, world: World) -> str | None:
    """An API operation asked with a logged-in web session but no token: 401, as the API knows
    tokens only (a session cookie must not make it forgeable across sites). None when it is."""
    if not row.is_api or ANONYMOUS in (row.allowed if isinstance(row.allowed, frozenset) else NOBODY):
        return None
    user = world.users[FOLLOWED_BY["care_team"]]
    call = Call(world, "practitioner", user, "care_team", world.targets["care_team"])
    response, _url = _request(row, call, None, session="verified")
    return None if response.status_code == 401 else f"expected a 401, got {_outcome(row, response)}"


PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def pdf_upload(_call: Call | None = None) -> io.BytesIO:
    """A small PDF to upload (a fresh one per request)."""
    upload = io.BytesIO(PDF)
    upload.name = "compte-rendu.pdf"
    return upload


def today() -> str:
    return timezone.localdate().isoformat()
