"""Database triggers that make every journal table append-only (issue 3, item 3).

No UPDATE and no DELETE, on SQLite and PostgreSQL alike, with one exception: the
content of events at or below the largest prune horizon may be deleted (retention,
item 6); leaf hashes, subtrees and heads stay, so the tree remains verifiable. The
triggers stop the application and casual edits; someone who drops them is caught by
``egide audit verify`` against the signed heads exported outside the database.
"""

from __future__ import annotations

from typing import Final

from django.db.backends.base.base import BaseDatabaseWrapper

FROZEN_TABLES: Final = ("audit_leaf", "audit_subtree", "audit_head", "audit_prunehorizon")
EVENT_TABLE: Final = "audit_event"
_MESSAGE: Final = "audit journal is append-only: update and delete refused"
_HORIZON: Final = "(SELECT COALESCE(MAX(up_to_event), 0) FROM audit_prunehorizon)"


def _sqlite_create() -> list[str]:
    statements = []
    for table in (*FROZEN_TABLES, EVENT_TABLE):
        statements.append(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )
        condition = f" WHEN OLD.id > {_HORIZON}" if table == EVENT_TABLE else ""
        statements.append(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}{condition} "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )
    return statements


def _sqlite_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_{kind}"
        for table in (*FROZEN_TABLES, EVENT_TABLE)
        for kind in ("no_update", "no_delete")
    ]


def _postgresql_create() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$",
        "CREATE OR REPLACE FUNCTION audit_event_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF OLD.id > {_HORIZON} THEN "
        f"RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; "
        "END IF; RETURN OLD; END $$",
    ]
    for table in (*FROZEN_TABLES, EVENT_TABLE):
        refused = "UPDATE" if table == EVENT_TABLE else "UPDATE OR DELETE"
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE {refused} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse()"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()"
        )
    statements.append(
        f"CREATE TRIGGER {EVENT_TABLE}_delete_guard BEFORE DELETE ON {EVENT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_delete_guard()"
    )
    return statements


def _postgresql_drop() -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_{kind} ON {table}"
        for table in (*FROZEN_TABLES, EVENT_TABLE)
        for kind in ("append_only", "no_truncate")
    ]
    statements.append(f"DROP TRIGGER IF EXISTS {EVENT_TABLE}_delete_guard ON {EVENT_TABLE}")
    return statements


def create_statements(vendor: str) -> list[str]:
    return _postgresql_create() if vendor == "postgresql" else _sqlite_create()


def drop_statements(vendor: str) -> list[str]:
    return _postgresql_drop() if vendor == "postgresql" else _sqlite_drop()


def triggers_create(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in create_statements(connection.vendor):
            cursor.execute(statement)


def triggers_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in drop_statements(connection.vendor):
            cursor.execute(statement)
