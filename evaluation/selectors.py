"""Reads of the evaluation app. Every selector takes the user and applies jurisdiction first; the
dashboard reads only pre-aggregated tables (scores, quality rates, the police-strength selector)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from evaluation.models import GeneratedLedger, Period, Score
from stations.jurisdiction import scope
from stations.models import Region, Station


def latest_scored_period() -> Period | None:
    return Period.objects.filter(scores__isnull=False).order_by("-start").first()


def score_list(*, user: Any, period: Period | None, level: str | None = None) -> QuerySet[Score]:
    qs = scope(Score.objects.all(), user).filter(period=period).select_related("station", "region", "period")
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("level", "rank", "unit_key")


def ledger_list(*, user: Any, period: Period | None) -> QuerySet[GeneratedLedger]:
    return (
        scope(GeneratedLedger.objects.all(), user)
        .filter(period=period)
        .select_related("definition", "station", "period")
        .order_by("station__code", "definition__category__order", "definition__order")
    )


@dataclass
class Dashboard:
    unit: Region | Station
    period: Period | None
    own: Score | None
    children: list[Score]
    quality: list[dict[str, Any]]
    strength: Any
    computed_at: Any


def dashboard(*, user: Any, unit: Region | Station | None) -> Dashboard:
    """One unit's figures and its children's (counties of a city, stations of a county), from the
    pre-aggregated tables only. A fixed number of queries."""
    from registry.models import QualityRate
    from stations.selectors import police_strength, resolve_unit

    unit = resolve_unit(user=user, unit=unit)
    period = latest_scored_period()
    scores = scope(Score.objects.all(), user).filter(period=period).select_related("station", "region")
    if isinstance(unit, Station):
        mine = list(scores.filter(station=unit))
        own, children = (mine[0] if mine else None), []
        quality_q = Q(station=unit)
    else:
        rows = list(scores.filter(Q(region=unit, station__isnull=True) | Q(region__parent=unit, station__isnull=True)
                                  | Q(station__county=unit)).order_by("rank", "unit_key"))
        own = next((s for s in rows if s.station_id is None and s.region_id == unit.pk), None)
        children = [s for s in rows if s is not own]
        quality_q = Q(region__parent=unit) | Q(station__county=unit) | Q(region=unit)
    quality = list(
        scope(QualityRate.objects.all(), user).filter(quality_q)
        .order_by("station_id", "region_id", "kind", "-day").distinct("station_id", "region_id", "kind")
        .values("station_id", "station__name", "region_id", "region__name", "kind", "total", "complete", "accurate",
                "fresh", "computed_at")
    )
    strength = police_strength(user=user, unit=unit, on=period.end) if period else None
    computed = [s.computed_at for s in ([own] if own else []) + children] + [q["computed_at"] for q in quality]
    return Dashboard(unit=unit, period=period, own=own, children=children, quality=quality, strength=strength,
                     computed_at=max(computed) if computed else None)
