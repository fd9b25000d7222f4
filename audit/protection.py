"""Append-only audit tables, enforced by PostgreSQL triggers.

The application's role owns its tables, so ``REVOKE UPDATE, DELETE`` would not bind it (an owner can
grant itself back); a trigger binds everyone but a superuser who switches triggers off
(``ALTER TABLE … DISABLE TRIGGER``, ``session_replication_role = replica``) — and that is what the
hash chain (:mod:`audit.chain`) is for.

On every audit table (see :mod:`audit.tables`):

* ``audit_no_update`` — BEFORE UPDATE, once per *statement*: refused;
* ``audit_no_truncate`` — BEFORE TRUNCATE: refused;
* ``audit_delete_past_retention`` — BEFORE DELETE, per row: refused unless the transaction has set
  ``audit.purge_before`` (only :func:`audit.services.audit_purge_expired` does) to a time at least
  :data:`RETENTION_FLOOR_DAYS` ago and the row is older than it. So even the purge path cannot remove a
  row younger than a year, whatever the application asks.

Inserts carry no trigger at all: bulk imports that write hundreds of thousands of event rows pay
nothing.

pghistory's Context table is different: pghistory *upserts* it during a request or task (each write
adds metadata such as the user once DRF has authenticated). Its rows may be updated only while young
(:data:`CONTEXT_OPEN_HOURS`), keeping their id and creation time and every metadata key they had;
after that they are frozen like the rest, and sealed into the chain.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

RETENTION_FLOOR_DAYS = 366
CONTEXT_OPEN_HOURS = 24
PURGE_SETTING = "audit.purge_before"

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit table %: % refused (the audit trail is append-only)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_delete_past_retention() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before timestamptz := NULLIF(current_setting('{PURGE_SETTING}', true), '')::timestamptz;
BEGIN
    IF purge_before IS NOT NULL
       AND purge_before <= now() - interval '{RETENTION_FLOOR_DAYS} days'
       AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < purge_before THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit table %: DELETE refused (only the retention purge removes rows, and only rows past retention)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_context_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND NEW.created_at = OLD.created_at
       AND OLD.created_at > now() - interval '{CONTEXT_OPEN_HOURS} hours'
       AND NEW.metadata ?& ARRAY(SELECT jsonb_object_keys(OLD.metadata)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit table %: UPDATE refused (a context is frozen once closed)', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

TRIGGER_NAMES = ("audit_no_update", "audit_no_truncate", "audit_delete_past_retention")


def table_triggers_sql(table: str, time_column: str, *, context: bool = False) -> str:
    quoted = connection.ops.quote_name(table)
    update = (
        f"CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON {quoted} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_context_update();"
        if context
        else f"CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON {quoted} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();"
    )
    return (
        f"{update}\n"
        f"CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {quoted} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();\n"
        f"CREATE OR REPLACE TRIGGER audit_delete_past_retention BEFORE DELETE ON {quoted} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_delete_past_retention('{time_column}');"
    )


def protected_tables() -> list[tuple[str, str, bool]]:
    """(table, time column, is the Context table) of every table the triggers protect."""
    from audit.tables import CONTEXT_TABLE, audit_tables, chain_table

    rows = [(spec.table, spec.time, spec.table == CONTEXT_TABLE) for spec in audit_tables()]
    rows.append((chain_table(), "sealed_at", False))
    return rows


def install(schema_editor: Any = None) -> list[str]:
    """Create (or replace) the functions and every table's triggers. Idempotent; returns the tables."""
    cursor_owner = schema_editor.connection if schema_editor is not None else connection
    existing = set(cursor_owner.introspection.table_names())
    tables = [row for row in protected_tables() if row[0] in existing]
    with cursor_owner.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for table, time_column, context in tables:
            cursor.execute(table_triggers_sql(table, time_column, context=context))
    return [table for table, _, _ in tables]


def missing_protection() -> dict[str, list[str]]:
    """Audit tables lacking an enabled protecting trigger: {table: [missing trigger names]}."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgenabled IN ('O', 'A') AND tgname = ANY(%s)",
            [list(TRIGGER_NAMES)],
        )
        present: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            present.setdefault(table.strip('"'), set()).add(name)
    return {
        table: sorted(set(TRIGGER_NAMES) - present.get(table, set()))
        for table, _, _ in protected_tables()
        if set(TRIGGER_NAMES) - present.get(table, set())
    }


def install_after_migrate(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """post_migrate: protect every audit table, new event tables included (idempotent, a few ms)."""
    from django.db import connections

    if plan is not None and not plan:
        return  # nothing was migrated
    conn = connections[using]
    existing = set(conn.introspection.table_names())
    with conn.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for table, time_column, context in protected_tables():
            if table in existing:
                cursor.execute(table_triggers_sql(table, time_column, context=context))
