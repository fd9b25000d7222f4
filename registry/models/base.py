from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _


def sync_clock_trigger(table: str) -> pgtrigger.Trigger:
    """``updated_at`` set by the database at the moment of each write (``clock_timestamp()``), on
    every INSERT and UPDATE, whoever writes: the ORM, ``QuerySet.update``, ``bulk_create``, ``COPY``
    or raw SQL. The sync API relies on it: a row's ``updated_at`` is never earlier than the start of
    the transaction that wrote it, and never set by an app server's clock (see
    ``registry/api/pagination.py``: the sync horizon)."""
    return pgtrigger.Trigger(
        name=f"{table}_sync_clock",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update,
        func="NEW.updated_at = clock_timestamp(); RETURN NEW;",
    )


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
