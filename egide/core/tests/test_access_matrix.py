"""Who may open what: every URL of Égide × every persona × every patient relation (issue 5).

The rows live beside each app (``egide/<app>/tests/access_matrix_rows.py``); how to write one is
told in ``egide.core.tests.access_matrix``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from egide.accounts.models import User
from egide.core.tests.access_matrix import (
    EXCLUDED,
    IDENTITY,
    PERSONAS,
    Row,
    World,
    personas,
    route_params,
    routes,
    row_check,
    row_problems,
    rows_discovered,
    second_factor_check,
    session_api_check,
    world_build,
)

ROWS = rows_discovered()


def test_it_has_a_row_for_every_url() -> None:
    every = list(routes())
    unnamed = [route.pattern for route in every if not route.name]
    assert not unnamed, f"URL patterns without a name (give them one, then a row): {unnamed}"
    covered = {row.route for row in ROWS}
    lacking = sorted(route.name for route in every if route.name not in covered | set(EXCLUDED))
    assert not lacking, (
        "URL patterns without a row in the authorisation matrix: add one to the app's "
        f"tests/access_matrix_rows.py (see egide/core/tests/access_matrix.py): {lacking}"
    )


def test_its_rows_are_well_formed() -> None:
    params = route_params()
    problems = [f"{row.name}: no such URL pattern" for row in ROWS if row.route not in params]
    problems += [
        f"{row.name}: {problem}"
        for row in ROWS
        if row.route in params
        for problem in row_problems(row, params[row.route])
    ]
    problems += [
        f"{name}: two rows, tell them apart with label"
        for name, n in Counter(row.name for row in ROWS).items()
        if n > 1
    ]
    problems += [
        f"{name}: excluded, but it has a row" for name in EXCLUDED if name in {r.route for r in ROWS}
    ]
    assert not problems, problems


@pytest.fixture
def world(
    keys: Path,
    practitioner: User,
    practitioner2: User,
    secretary: User,
    dpo: User,
    admin_user: User,
    outsider: User,
) -> World:
    users = {
        "practitioner": practitioner,
        "practitioner2": practitioner2,
        "secretary": secretary,
        "dpo": dpo,
        "admin_user": admin_user,
        "outsider": outsider,
    }
    assert set(users) == set(PERSONAS) - {"anonymous"}
    return world_build(users)


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_it_allows_exactly_the_listed_personas(row: Row, world: World) -> None:
    mismatches = row_check(row, world)
    assert not mismatches, f"{row.name}:\n  " + "\n  ".join(mismatches)


def test_it_opens_no_page_before_the_second_factor(world: World) -> None:
    problems = [f"{row.name}: {problem}" for row in ROWS if (problem := second_factor_check(row, world))]
    assert not problems, problems


def test_it_opens_no_api_operation_to_a_web_session(world: World) -> None:
    problems = [f"{row.name}: {problem}" for row in ROWS if (problem := session_api_check(row, world))]
    assert not problems, problems


def test_it_notices_a_row_that_allows_too_much_or_too_little(world: World) -> None:
    """The matrix itself: a wrong row fails, naming the cells (a checker that always agrees would
    let every row pass)."""
    assert row_check(Row("crypto:status", allowed=personas("dpo")), world) == [
        "dpo: expected ok, got refused",
        "admin_user: expected refused, got ok",
    ]
    notes_for_identity = Row("patients:document_download", allowed=IDENTITY)
    assert row_check(notes_for_identity, world) == [
        "secretary on care_team: expected ok, got refused",
        "secretary on practice: expected ok, got refused",
    ]
