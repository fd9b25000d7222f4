"""Writes of the audit app: sealing the chain and the retention purge (the only path that deletes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pgtrigger
from django.db import connection, transaction

from audit import chain
from audit.protection import PURGE_SETTING, RETENTION_FLOOR_DAYS
from audit.tables import audit_tables

# The stations app's own pgtrigger Protect on its log of denied attempts (pgtrigger lets the
# application switch it off by name; ours, which also guards that table, it cannot).
OTHER_GUARDS = ("stations.DeniedAccess:denied_access_append_only",)


def audit_seal_pending(*, now: datetime | None = None) -> dict[str, int]:
    """Seal the audit rows committed since the last run (see :mod:`audit.chain`)."""
    return chain.seal_pending(now=now)


@contextmanager
def purge_scope(*, purge_before: datetime) -> Iterator[None]:
    """Inside a transaction: let the protecting triggers delete rows older than ``purge_before``
    (which they accept only when it is at least a year ago: ``RETENTION_FLOOR_DAYS``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [PURGE_SETTING, purge_before.isoformat()])
    with pgtrigger.ignore(*OTHER_GUARDS), transaction.atomic():  # a savepoint: a refusal leaves it usable
        yield
    # After an error the transaction is rolled back and the setting with it; after success, clear it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, '', true)", [PURGE_SETTING])


def audit_purge_expired(*, now: datetime, retention_days: int) -> dict[str, int]:
    """Delete sealed audit rows older than ``retention_days`` (at least a year), recording in the chain
    which rows of which seal went, so the chain still verifies. Rows not sealed yet are sealed first.
    Returns {table: rows deleted}."""
    if retention_days < RETENTION_FLOOR_DAYS:
        raise ValueError(
            f"audit retention must be at least {RETENTION_FLOOR_DAYS} days, not {retention_days}"
        )
    chain.seal_pending(now=now)
    cutoff = now - timedelta(days=retention_days)
    deleted: dict[str, int] = {}
    q = connection.ops.quote_name
    with transaction.atomic():
        chain.lock()
        with purge_scope(purge_before=cutoff):
            for spec in audit_tables():
                last = chain.last_sealed(spec)
                if last is None:
                    continue
                if spec.by_time:
                    where, params = f"({q(spec.time)}, {q(spec.key)}) <= (%s, %s::uuid)", [last[0], last[1]]
                else:
                    where, params = f"{q(spec.key)} <= %s", [last]
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"DELETE FROM {q(spec.table)} WHERE {q(spec.time)} < %s AND {where} "
                        f"RETURNING {q(spec.key)}::text, {q(spec.time)}",
                        [cutoff, *params],
                    )
                    rows = cursor.fetchall()
                if rows:
                    chain.purge_links_for(
                        spec, [(key, (at, key) if spec.by_time else int(key)) for key, at in rows]
                    )
                    deleted[spec.table] = len(rows)
    return deleted
