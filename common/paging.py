"""Keyset (seek) paging for list pages: constant time at any depth, never a COUNT(*).

``keyset_page(qs, after=request.GET.get("after"), size=50)`` orders by ``ordering`` (unique, indexed;
default ``("id",)``), fetches one row more than asked to know whether a next page exists, and
returns an opaque cursor for it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class KeysetPage(Generic[_M]):
    items: list[_M]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) else None


def _after_q(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ascending ``ordering`` (row-value comparison, expanded)."""
    q = Q()
    for i, field in enumerate(ordering):
        step = Q(**{f"{field}__gt": values[i]})
        for prior, value in zip(ordering[:i], values[:i], strict=False):
            step &= Q(**{prior: value})
        q |= step
    return q


def keyset_page(
    queryset: QuerySet[_M], *, after: str | None, size: int = 50, ordering: tuple[str, ...] = ("id",)
) -> KeysetPage[_M]:
    qs = queryset.order_by(*ordering)
    if after:
        values = decode_cursor(after)
        if values is not None and len(values) == len(ordering):
            qs = qs.filter(_after_q(ordering, values))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([_dig(last, f) for f in ordering])
    return KeysetPage(items=rows, next_cursor=next_cursor)


def _dig(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj
