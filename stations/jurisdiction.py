"""Jurisdiction: the one place that decides what a user may see.

Every user and API token is bound to one home unit — a station or a region — and sees exactly that
subtree. Each scoped model declares, with :class:`Jurisdiction`, the lookup from itself to a station
and/or to a region; ``Model.objects.for_user(user)`` (or :func:`scope`) then filters any queryset.
Objects outside the subtree are simply absent, so detail views answer 404 for them exactly as for
objects that do not exist.

Region paths are materialised as ``"620000/620100/620102/"`` so a subtree is one prefix match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

if TYPE_CHECKING:
    from stations.models import Region, Station, User

_M = TypeVar("_M", bound=models.Model)

SELF = ""
_ID_LIKE = re.compile(r"[0-9]{15,17}[0-9Xx]")


@dataclass(frozen=True)
class Jurisdiction:
    """Where a model hangs in the org tree.

    ``station``: lookup to the owning station (``SELF`` for the Station model itself).
    ``region``: lookup to the owning region (``SELF`` for Region). When both are given, region-bound
    users filter on ``region`` and station-bound users on ``station``.
    """

    station: str | None = None
    region: str | None = None


def _join(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


def jurisdiction_of(model: type[models.Model]) -> Jurisdiction:
    rule = getattr(model, "jurisdiction", None)
    if not isinstance(rule, Jurisdiction):
        raise TypeError(f"{model.__name__} declares no Jurisdiction; it cannot be scoped")
    return rule


def scope_q(model: type[models.Model], user: Any) -> models.Q | None:
    """The filter that keeps ``model`` rows inside ``user``'s jurisdiction; ``None`` means nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    rule = jurisdiction_of(model)
    if user.home_station_id is not None:
        if rule.station is None:
            return None
        return models.Q(**{_join(rule.station, "pk"): user.home_station_id})
    region: Region | None = user.home_region
    if region is None:
        return None
    if rule.region is not None:
        return models.Q(**{_join(rule.region, "path__startswith"): region.path})
    if rule.station is not None:
        return models.Q(**{_join(rule.station, "county__path__startswith"): region.path})
    return None


def scope(queryset: models.QuerySet[_M], user: Any) -> models.QuerySet[_M]:
    q = scope_q(queryset.model, user)
    return queryset.none() if q is None else queryset.filter(q)


class ScopedQuerySet(models.QuerySet[_M]):
    def for_user(self, user: Any) -> models.QuerySet[_M]:
        return scope(self, user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def visible_stations(user: Any) -> models.QuerySet[Station]:
    from stations.models import Station

    return Station.objects.for_user(user)


def visible_regions(user: Any) -> models.QuerySet[Region]:
    from stations.models import Region

    return Region.objects.for_user(user)


def is_in_scope(obj: models.Model, user: User) -> bool:
    """Re-check, e.g. inside a write's transaction, that ``obj`` is still in ``user``'s scope."""
    return type(obj)._default_manager.filter(pk=obj.pk).for_user(user).exists()  # type: ignore[attr-defined]


def record_404(*, user: Any, model: type[models.Model], lookup: dict[str, Any], path: str = "", method: str = "") -> None:
    """Log a detail lookup that answered 404 (called by the base API viewset and page mixin, the places
    where out-of-scope lookups turn into 404). The response stays the same 404; only the log row tells
    ``denied`` (the object exists outside ``user``'s jurisdiction) from ``not_found`` (no such object,
    or a malformed id). Two queries, run only on a 404."""
    if user is None or not getattr(user, "is_authenticated", False) or not lookup:
        return
    if not isinstance(getattr(model, "jurisdiction", None), Jurisdiction):
        return
    try:
        matching = model._default_manager.filter(**lookup)
        exists = matching.exists()
        in_scope = exists and scope(matching, user).exists()
    except (ValueError, TypeError, ValidationError):
        exists = in_scope = False
    from stations.services import denied_access_record

    denied_access_record(
        user=user,
        path=path,
        method=method,
        model=model._meta.label_lower,
        # never a national ID in the log, whatever the lookup was
        object_id=_ID_LIKE.sub("*", ",".join(str(value) for value in lookup.values())),
        out_of_scope=exists and not in_scope,
    )
