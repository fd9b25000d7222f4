"""Keyset pagination of the registry's sync API over BOTH columns of ``(updated_at, id)``.

Why not DRF's ``CursorPagination``: it keys on one field and disambiguates ties with an offset, so
rows sharing a timestamp — every row of one transaction does — can be skipped or repeated when rows
change between pages. Here the cursor is the exact position ``(updated_at, id)`` of the last row
returned and the next page is ``WHERE (updated_at, id) > (t, i) ORDER BY updated_at, id`` — a row
value comparison the ``*_sync`` indexes serve directly, at any depth.

Query parameters:

* ``updated_since=<ISO 8601>`` — rows with ``updated_at >= updated_since`` (a date alone means its
  midnight, local time); 400 if malformed.
* ``cursor=<opaque>`` — continue after a position; 400 if malformed.
* ``page_size`` — 1 … 1000 (default 50).

Response: ``{"next", "previous", "sync_cursor", "results"}``. ``next`` is null at the end of the
stream; ``sync_cursor`` is always the position after the last row returned (or the position asked
for, when nothing is new): store it and send it as ``?cursor=`` next time to continue exactly where
you stopped — nothing missed, nothing repeated. An edited row gets a new ``updated_at`` and so moves
to the end of the stream: a client syncing while officers edit sees it again later, with the edit.
Deletions are tombstones (``deleted: true``) and travel the same way.

**Rows committed late (the sync horizon).** ``updated_at`` is set by the database at the moment of
each write (a trigger, ``clock_timestamp()``), but a transaction commits later than it writes: a
row written at 10:00:00 by a transaction that commits at 10:00:30 would appear *behind* a cursor
that had already reached 10:00:10, and a client would never see it. So every page stops at the
**horizon** ``H = least(now, start of the oldest other transaction that has written and is still
open)``, read from ``pg_stat_activity`` (after ``pg_stat_clear_snapshot()``): only rows with
``updated_at < H`` are served. Any row still uncommitted has ``updated_at >= its transaction's start
>= H``, and any transaction that starts later writes ``updated_at > H``; so every row below the
horizon is already visible and no later commit can land below a cursor. The price: the stream lags
behind the oldest open write transaction (imports commit per batch, so seconds), and an idle open
transaction holds it back (set ``idle_in_transaction_session_timeout``). It needs the writers to
connect with the same database role as the API (or the API role to have ``pg_read_all_stats``),
and sync reads to go to the primary (a replica's ``pg_stat_activity`` does not show the primary's
writers).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import OrderedDict
from typing import Any

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from stations.filters import MAX_UTC_OFFSET

HORIZON_SQL = """
SELECT least(
    clock_timestamp(),
    (SELECT min(xact_start) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL)
)
"""


def sync_horizon() -> dt.datetime:
    """The instant below which every committed row is final (see the module docstring)."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # pg_stat_activity is read once per transaction: inside one, drop the stale snapshot.
            # Outside (autocommit, the API's usual case) each statement reads it afresh.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(HORIZON_SQL)
        return cursor.fetchone()[0]


def encode_position(updated_at: dt.datetime, pk: int, *, backwards: bool = False) -> str:
    raw = json.dumps([updated_at.isoformat(), pk, "p" if backwards else "n"], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[dt.datetime, int, bool]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk, direction = json.loads(base64.urlsafe_b64decode(padded.encode()))
        when = dt.datetime.fromisoformat(stamp)
        if when.tzinfo is None or not isinstance(pk, int) or direction not in ("n", "p"):
            raise ValueError
    except (ValueError, TypeError):
        raise ValidationError({"cursor": [_("This cursor is not valid.")]}) from None
    return when, pk, direction == "p"


def parse_updated_since(value: str) -> dt.datetime:
    """An ISO 8601 date-time (a naive one is local time) or a date (its local midnight)."""
    text = value.strip().replace(" ", "+")  # a '+' of an offset arrives as a space if not URL-encoded
    try:
        when = parse_datetime(text)
        if when is None:
            day = parse_date(text)
            when = dt.datetime.combine(day, dt.time.min) if day else None
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when)
        if when is not None:
            when.astimezone(dt.UTC)  # an offset that puts it outside the calendar fails here
            if abs(when.utcoffset() or dt.timedelta()) > MAX_UTC_OFFSET:  # PostgreSQL's limit
                when = None
    except (ValueError, OverflowError):  # well-formed but impossible: 2025-02-30, an offset of +99:00
        when = None
    if when is None:
        raise ValidationError({"updated_since": [_("Enter an ISO 8601 date-time, e.g. 2025-01-31T08:00:00+08:00.")]})
    return when


def _position_q(queryset: QuerySet[Any], op: str, when: dt.datetime, pk: int) -> RawSQL:
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    return RawSQL(f"({table}.\"updated_at\", {table}.\"id\") {op} (%s, %s)", (when, pk), output_field=BooleanField())


def _position_of(row: Any) -> tuple[dt.datetime, int]:
    """A row's ``(updated_at, id)``: a model instance, or a dict from ``.values()`` (the persons list)."""
    if isinstance(row, dict):
        return row["updated_at"], row["id"]
    return row.updated_at, row.pk


class SyncPagination(BasePagination):
    """``(updated_at, id)`` keyset pagination with ``updated_since`` and the sync horizon."""

    page_size = 50
    max_page_size = 1000
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    since_query_param = "updated_since"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [_("Enter a whole number.")]}) from None
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.base_url = request.build_absolute_uri()
        size = self.get_page_size(request)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        raw_since = request.query_params.get(self.since_query_param)
        since = parse_updated_since(raw_since) if raw_since else None
        position = decode_position(raw_cursor) if raw_cursor else None

        qs = queryset.filter(updated_at__lt=sync_horizon())
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        backwards = bool(position and position[2])
        if position is not None:
            qs = qs.filter(_position_q(qs, "<" if backwards else ">", position[0], position[1]))
        qs = qs.order_by("-updated_at", "-id") if backwards else qs.order_by("updated_at", "id")
        rows = list(qs[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()

        self.rows = rows
        first = _position_of(rows[0]) if rows else None
        last = _position_of(rows[-1]) if rows else None
        here = (position[0], position[1]) if position is not None else None
        if backwards:
            # Came back from ``here``: there is always something after, and more before if has_more.
            self.next_position = last or (here[0], here[1] - 1)  # type: ignore[index]
            self.previous_position = first if has_more else None
            self.sync_position = self.next_position
        else:
            self.next_position = last if has_more else None
            self.previous_position = first if here is not None and rows else None
            # Where to resume: after the last row served, else where the client already stood.
            self.sync_position = last or here or ((since, 0) if since is not None else None)
        return rows

    def _link(self, position: tuple[dt.datetime, int] | None, *, backwards: bool) -> str | None:
        if position is None:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, encode_position(*position, backwards=backwards))

    def get_paginated_response(self, data: Any) -> Response:
        return Response(OrderedDict([
            ("next", self._link(self.next_position, backwards=False)),
            ("previous", self._link(self.previous_position, backwards=True)),
            ("sync_cursor", encode_position(*self.sync_position) if self.sync_position else None),
            ("results", data),
        ]))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "sync_cursor": {
                    "type": "string", "nullable": True,
                    "description": "Send as ?cursor= next time to continue after the last row returned.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.since_query_param, "required": False, "in": "query",
                "description": "Rows changed at or after this ISO 8601 instant, in (updated_at, id) order.",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": self.cursor_query_param, "required": False, "in": "query",
                "description": "Continue after this position (from `next`, `previous` or `sync_cursor`).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param, "required": False, "in": "query",
                "description": "Rows per page, 1 to 1000.", "schema": {"type": "integer"},
            },
        ]

