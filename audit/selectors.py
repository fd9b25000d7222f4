"""Reads for the auditor: row-level change events across every pghistory event table, generically.

Jurisdiction: as the access log and the denied-attempt log are scoped by the unit of the user who
acted, so are change events — by the user in their pghistory context. Writes with no user (tasks,
imports run by the worker, the demo load) are seen by auditors of the whole province (and
superusers) only. The row data of events is never read here: it can hold personal data the pages
mask; an auditor sees who changed which object of which table, when and how.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pghistory.models
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from audit.tables import event_models
from stations.models import User

EVENT_FIELDS = ("pgh_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "pgh_context_id")


@dataclass(frozen=True)
class ChangeEvent:
    at: datetime
    table: str  # the tracked model's label, e.g. "registry.Person"
    event_id: int
    operation: str
    object_id: str
    context_id: str | None
    user_id: int | None = None
    username: str = ""
    via: str = ""  # the URL, task or source of the write


def sees_everything(user: Any) -> bool:
    """Superusers and auditors bound to the province (the root region) see writes by anyone, tasks too."""
    if user.is_superuser:
        return True
    region = getattr(user, "home_region", None)
    return user.home_station_id is None and region is not None and region.parent_id is None


def users_in_scope(user: Any) -> QuerySet[User]:
    from stations.jurisdiction import visible_regions, visible_stations

    return User.objects.filter(
        Q(home_station__in=visible_stations(user)) | Q(home_region__in=visible_regions(user))
    )


def _contexts(user: Any, username: str) -> QuerySet[Any] | None:
    """The contexts the caller may see (None: all of them)."""
    contexts = pghistory.models.Context.objects.annotate(actor=Cast(KT("metadata__user"), BigIntegerField()))
    restricted = False
    if not sees_everything(user):
        contexts = contexts.filter(actor__in=users_in_scope(user).values("pk"))
        restricted = True
    if username:
        contexts = contexts.filter(actor__in=User.objects.filter(username=username).values("pk"))
        restricted = True
    return contexts if restricted else None


def event_querysets(*, user: Any, filters: dict[str, Any]) -> list[tuple[str, QuerySet[Any]]]:
    """(table label, queryset of the event fields) of each event table, filtered and scoped."""
    contexts = _contexts(user, filters.get("username") or "")
    out = []
    for model in event_models():
        label = model.pgh_tracked_model._meta.label
        if filters.get("table") and filters["table"] != label:
            continue
        qs = model.objects.all()
        if contexts is not None:
            qs = qs.filter(pgh_context_id__in=contexts.values("id"))
        if filters.get("operation"):
            qs = qs.filter(pgh_label=filters["operation"])
        if filters.get("object_id"):
            object_id = str(filters["object_id"]).strip()
            if not object_id.isdigit():
                continue
            qs = qs.filter(pgh_obj_id=int(object_id))
        # Bounds on the column itself (a ``__date`` cast could not use the (pgh_created_at, pgh_id) index).
        if filters.get("since"):
            qs = qs.filter(pgh_created_at__gte=_start_of(filters["since"]))
        if filters.get("until"):
            qs = qs.filter(pgh_created_at__lt=_start_of(filters["until"] + timedelta(days=1)))
        out.append((label, qs.values_list(*EVENT_FIELDS)))
    return out


def _start_of(day: date) -> datetime:
    """Midnight of ``day`` in the portal's time zone (the day the form's user means)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _after_cursor(label: str, qs: QuerySet[Any], cursor: tuple[datetime, str, int] | None) -> QuerySet[Any]:
    """Rows after the cursor in the order (time, table, id), newest first."""
    if cursor is None:
        return qs
    at, cursor_label, cursor_id = cursor
    if label < cursor_label:
        return qs.filter(pgh_created_at__lte=at)
    if label == cursor_label:
        return qs.filter(Q(pgh_created_at__lt=at) | Q(pgh_created_at=at, pgh_id__lt=cursor_id))
    return qs.filter(pgh_created_at__lt=at)


def change_event_page(
    *, user: Any, filters: dict[str, Any], cursor: tuple[datetime, str, int] | None, size: int
) -> list[ChangeEvent]:
    """The newest ``size`` (+1, to tell whether there is more) events after ``cursor``, across tables."""
    heads = []
    for label, qs in event_querysets(user=user, filters=filters):
        rows = _after_cursor(label, qs, cursor).order_by("-pgh_created_at", "-pgh_id")[: size + 1]
        heads.extend((label, row) for row in rows)
    heads.sort(key=lambda item: (item[1][1], item[0], item[1][0]), reverse=True)
    return with_actors(_event(label, row) for label, row in heads[: size + 1])


def change_events_all(*, user: Any, filters: dict[str, Any], chunk: int = 2000) -> Iterator[ChangeEvent]:
    """Every matching event, table by table in id order (for the CSV export: streamed, bounded memory)."""
    for label, qs in event_querysets(user=user, filters=filters):
        last = 0
        while True:
            rows = list(qs.filter(pgh_id__gt=last).order_by("pgh_id")[:chunk])
            if not rows:
                break
            yield from with_actors(_event(label, row) for row in rows)
            last = rows[-1][0]


def _event(label: str, row: tuple[Any, ...]) -> ChangeEvent:
    pgh_id, at, operation, obj_id, context_id = row
    return ChangeEvent(
        at=at,
        table=label,
        event_id=pgh_id,
        operation=operation,
        object_id=str(obj_id),
        context_id=str(context_id) if context_id else None,
    )


def with_actors(events: Iterable[ChangeEvent]) -> list[ChangeEvent]:
    """Fill in who and through what, two queries for the whole batch (never one per row)."""
    events = list(events)
    context_ids = {event.context_id for event in events if event.context_id}
    metadata = (
        dict(pghistory.models.Context.objects.filter(id__in=context_ids).values_list("id", "metadata"))
        if context_ids
        else {}
    )
    metadata = {str(key): value for key, value in metadata.items()}
    user_ids = {_int(meta.get("user")) for meta in metadata.values()} - {None}
    names = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
    out = []
    for event in events:
        meta = metadata.get(event.context_id or "", {})
        user_id = _int(meta.get("user"))
        via = str(meta.get("url") or meta.get("task") or meta.get("source") or "")
        out.append(
            ChangeEvent(
                **{**event.__dict__, "user_id": user_id, "username": names.get(user_id, ""), "via": via}
            )
        )
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
