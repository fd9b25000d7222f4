from __future__ import annotations

from typing import TypeVar

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.audit import audited

_T = TypeVar("_T")

#: Set (``SET LOCAL``, i.e. for one transaction) only by the bulk import around its upsert statement,
#: which sets ``updated_at = clock_timestamp()`` itself and is audited per job (``import_job``).
BULK_SETTING = "registry.bulk"
NOT_BULK = f"current_setting('{BULK_SETTING}', true) IS DISTINCT FROM 'on'"


def sync_clock_trigger(table: str) -> pgtrigger.Trigger:
    """``updated_at`` set by the database at the moment of each write (``clock_timestamp()``), on
    every INSERT and UPDATE, whoever writes: the ORM, ``QuerySet.update``, ``bulk_create``, ``COPY``
    or raw SQL. The sync API relies on it: a row's ``updated_at`` is never earlier than the start of
    the transaction that wrote it, and never set by an app server's clock (see
    ``registry/api/pagination.py``: the sync horizon).

    The ``WHEN`` condition skips the trigger (no PL/pgSQL call a row) only inside the bulk import's
    upsert, which writes ``updated_at = clock_timestamp()`` in the statement itself: the same value
    the trigger would give. Every other writer fires it as before."""
    return pgtrigger.Trigger(
        name=f"{table}_sync_clock",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        condition=pgtrigger.Condition(NOT_BULK),
        func="NEW.updated_at = clock_timestamp(); RETURN NEW;",
    )


def audited_record(model: _T) -> _T:
    """``common.audit.audited`` for the registry's importable records (same events, labels, trigger
    names and tracked fields), with the bulk import's upsert left out by a ``WHEN`` condition
    instead of ``pgtrigger.ignore``.

    The import never wrote per-row events (the job is the audit record, every row it writes points
    to it through ``import_job``); before, it skipped them with ``pgtrigger.ignore``, which still
    called each trigger's PL/pgSQL function for every row, and that function opened a
    sub-transaction (an exception block) to read the ignore setting. A ``WHEN`` condition is
    evaluated by the executor without a function call or a queued after-trigger event. Every other
    writer (ORM, ``QuerySet.update``, raw SQL, the demo's ``pgtrigger.ignore``) is audited exactly as
    before."""
    return audited(model, when=NOT_BULK)


class SyncedRecord(models.Model):
    """Fields every registry record shares: the owning station, sync order and soft deletion.

    Clients sync by ``(updated_at, id)``; a deleted record stays as a tombstone (``deleted``) so a
    syncing client sees the deletion. ``import_job`` points to the import that last wrote the row
    (imports are audited per job, not per row)."""

    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "stations.User", verbose_name=_("last verified by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=False)
    deleted = models.BooleanField(_("deleted"), default=False)
    import_job = models.ForeignKey(
        "registry.ImportJob", verbose_name=_("import"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )

    class Meta:
        abstract = True
