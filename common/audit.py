"""Row-level audit for every write, through database triggers (django-pghistory).

Triggers see what signal-based audit misses: ``QuerySet.update``, ``bulk_create`` and raw SQL.
Each event row carries the context (user, URL or task) of the write that produced it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import pghistory

_T = TypeVar("_T")


def audited(model: _T | None = None, *, exclude: Sequence[str] = ()) -> _T | Callable[[_T], _T]:
    """Record every insert, update and delete of the decorated model (``@audited`` or
    ``@audited(exclude=["password"])`` to keep a secret out of the trail)."""
    decorator = pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=list(exclude) or None,
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
