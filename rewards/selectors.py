"""Reads of the rewards app: jurisdiction first, a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from rewards import shares
from rewards.models import Award, EventReward, PointEntry, RewardStatus
from stations.jurisdiction import scope


def year_period(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def awards_for(user: Any) -> QuerySet[Award]:
    return scope(Award.objects.all(), user)


@dataclass(frozen=True)
class ShareRow:
    issuer_kind: str  # "region" or "station"
    issuer_id: int
    name: str
    counts: shares.ShareCounts
    collective: int

    @property
    def share(self) -> Fraction | None:
        return shares.station_share(self.counts)

    @property
    def percent(self) -> float | None:
        return shares.percent(self.share)

    @property
    def below(self) -> bool:
        return shares.is_below(self.share)


def share_by_issuer(user: Any, *, start: dt.date, end: dt.date) -> list[ShareRow]:
    """The station share per issuing unit over confirmed awards in the period (one query)."""
    rows = (
        awards_for(user)
        .filter(confirmed=True, awarded_on__gte=start, awarded_on__lte=end)
        .values("issuing_region", "issuing_region__name", "issuing_station", "issuing_station__name")
        .annotate(
            individual=Count("id", filter=Q(officer__isnull=False)),
            at_station=Count("id", filter=Q(officer__isnull=False, at_station=True)),
            collective=Count("id", filter=Q(officer__isnull=True)),
        )
        .order_by("issuing_region__name", "issuing_station__name")
    )
    out = []
    for r in rows:
        is_region = r["issuing_region"] is not None
        out.append(ShareRow(
            issuer_kind="region" if is_region else "station",
            issuer_id=r["issuing_region"] if is_region else r["issuing_station"],
            name=r["issuing_region__name"] if is_region else r["issuing_station__name"],
            counts=shares.ShareCounts(r["individual"], r["at_station"]),
            collective=r["collective"],
        ))
    return out


def units_below(user: Any, *, start: dt.date, end: dt.date) -> list[ShareRow]:
    return [row for row in share_by_issuer(user, start=start, end=end) if row.below]


def total_share(rows: list[ShareRow]) -> Fraction | None:
    total = shares.ShareCounts()
    for row in rows:
        total = total + row.counts
    return shares.station_share(total)


@dataclass(frozen=True)
class AwardCounts:
    awards: int
    stations: int
    officers: int
    wartime_awards: int
    wartime_people: int


def award_counts(user: Any, *, start: dt.date, end: dt.date) -> AwardCounts:
    """Commended stations (a station award or an award to one of its officers) and officers, and wartime
    awards with the people they reached, over confirmed awards in the period (one query)."""
    row = (
        awards_for(user)
        .filter(confirmed=True, awarded_on__gte=start, awarded_on__lte=end)
        .aggregate(
            awards=Count("id"),
            stations=Count("station", distinct=True),
            officers=Count("officer", distinct=True),
            wartime_awards=Count("id", filter=Q(wartime=True)),
            wartime_people=Coalesce(Sum("people", filter=Q(wartime=True)), 0),
        )
    )
    return AwardCounts(**row)


# --- Points -------------------------------------------------------------------------------------------


def points_for(user: Any) -> QuerySet[PointEntry]:
    return scope(PointEntry.objects.all(), user)


def head_balance(user: Any, *, head_id: int) -> int:
    return points_for(user).filter(head_id=head_id).aggregate(total=Coalesce(Sum("points"), 0))["total"]


def head_history(user: Any, *, head_id: int, limit: int = 200) -> list[PointEntry]:
    return list(points_for(user).filter(head_id=head_id).order_by("-entry_date", "-id")[:limit])


def head_ranking(
    user: Any, *, start: dt.date, end: dt.date, station_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Household heads by points earned in the period, highest first (one query)."""
    qs = points_for(user).filter(entry_date__gte=start, entry_date__lte=end)
    if station_id is not None:
        qs = qs.filter(station_id=station_id)
    return list(
        qs.values("head", "head__name", "station__name")
        .annotate(total=Sum("points"), entries=Count("id"))
        .order_by("-total", "head")[:limit]
    )


def station_ranking(user: Any, *, start: dt.date, end: dt.date, limit: int = 50) -> list[dict[str, Any]]:
    qs = points_for(user).filter(entry_date__gte=start, entry_date__lte=end)
    return list(
        qs.values("station", "station__name")
        .annotate(total=Sum("points"), heads=Count("head", distinct=True))
        .order_by("-total", "station")[:limit]
    )


def county_ranking(user: Any, *, start: dt.date, end: dt.date, limit: int = 50) -> list[dict[str, Any]]:
    qs = points_for(user).filter(entry_date__gte=start, entry_date__lte=end)
    return list(
        qs.values("station__county", "station__county__name")
        .annotate(total=Sum("points"), heads=Count("head", distinct=True))
        .order_by("-total", "station__county")[:limit]
    )


def rewards_to_decide(user: Any) -> QuerySet[EventReward]:
    return (
        scope(EventReward.objects.all(), user)
        .filter(status=RewardStatus.PROPOSED)
        .select_related("head", "station", "proposed_by")
        .order_by("event_date", "id")
    )
