"""Row-level audit for every write, through database triggers (django-pghistory).

Triggers see what signal-based audit misses: ``QuerySet.update``, ``bulk_create`` and raw SQL.
Each event row carries the context (user, URL or task) of the write that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import pghistory
import pgtrigger
from django.db import models

_T = TypeVar("_T")


# The auditor's change-event page lists each event table newest first (audit/selectors.py): without
# this index that is a sort of the whole table on every page view.
EVENT_META = {"indexes": [models.Index(fields=["pgh_created_at", "pgh_id"])]}


def audited(
    model: _T | None = None, *, exclude: Sequence[str] = (), when: str | None = None
) -> _T | Callable[[_T], _T]:
    """Record every insert, update and delete of the decorated model (``@audited`` or
    ``@audited(exclude=["password"])`` to keep a secret out of the trail).

    ``when``: an SQL condition that inserts and updates must meet to be recorded, checked by the
    trigger's ``WHEN`` (no function call a row) — the registry's bulk import is left out this way
    (``registry.models.base.audited_record``) and audited per job."""
    if when is None:
        insert, update = pghistory.InsertEvent(), pghistory.UpdateEvent()
    else:
        insert = pghistory.InsertEvent(condition=pgtrigger.Condition(when))
        update = pghistory.UpdateEvent(condition=pgtrigger.Condition(f"OLD.* IS DISTINCT FROM NEW.* AND {when}"))
    decorator = pghistory.track(
        insert, update, pghistory.DeleteEvent(), exclude=list(exclude) or None, meta=EVENT_META
    )
    return decorator(model) if model is not None else decorator


@contextmanager
def audit_context(**metadata: object) -> Iterator[None]:
    """Attach who/what to the writes in this block (for tasks and commands, where no request is)."""
    with pghistory.context(**metadata):
        yield


def audit_attach(**metadata: object) -> None:
    """Add metadata to the audit context already open (e.g. the API user once DRF has authenticated)."""
    pghistory.context(**metadata)
