"""The registry of metric functions the indicators read.

A metric is ``fn(units: Units, period: Period) -> {unit_key: Ratio | None}`` registered with
``@metric("key")``. It runs ONE set-based query for all units (the query count does not grow with
the number of units) and rolls station figures up to counties and cities in Python over the region
paths. Unit keys: ``"s:<station id>"`` and ``"r:<region id>"``. A metric whose source app is not
wired yet returns ``{}`` — "no data" — and its indicators are left out of the score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

METRICS: dict[str, Callable[..., dict[str, Ratio]]] = {}
METRIC_LABELS: dict[str, Any] = {}


@dataclass(frozen=True)
class Ratio:
    num: float
    den: float

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None


@dataclass
class Units:
    """The units being scored: stations with their county's path, and regions with their path."""

    station_paths: dict[int, str] = field(default_factory=dict)  # station id → county path
    region_paths: dict[int, str] = field(default_factory=dict)  # region id → path

    @property
    def keys(self) -> list[str]:
        return [f"s:{pk}" for pk in self.station_paths] + [f"r:{pk}" for pk in self.region_paths]

    def roll_up(self, by_station: dict[int, tuple[float, float]], by_region: dict[str, tuple[float, float]] | None = None) -> dict[str, Ratio]:
        """Station (num, den) sums, plus rows held directly by regions (keyed by path), rolled up to
        every region whose path prefixes them."""
        result: dict[str, Ratio] = {}
        for pk, (num, den) in by_station.items():
            if pk in self.station_paths:
                result[f"s:{pk}"] = Ratio(num, den)
        leaves: list[tuple[str, float, float]] = [
            (self.station_paths[pk], num, den) for pk, (num, den) in by_station.items() if pk in self.station_paths
        ]
        leaves += [(path, num, den) for path, (num, den) in (by_region or {}).items()]
        for pk, path in self.region_paths.items():
            num = sum(n for p, n, _d in leaves if p.startswith(path))
            den = sum(d for p, _n, d in leaves if p.startswith(path))
            result[f"r:{pk}"] = Ratio(num, den)
        return result


def metric(key: str, label: Any = None) -> Callable[[Callable[..., dict[str, Ratio]]], Callable[..., dict[str, Ratio]]]:
    def register(fn: Callable[..., dict[str, Ratio]]) -> Callable[..., dict[str, Ratio]]:
        METRICS[key] = fn
        METRIC_LABELS[key] = label or key
        return fn

    return register


def metric_choices() -> list[tuple[str, Any]]:
    return [(key, METRIC_LABELS[key]) for key in sorted(METRICS)]


def compute(keys: Iterable[str], units: Units, period: Any) -> dict[str, dict[str, float | None]]:
    """Values of each metric for every unit (None where the metric has no data)."""
    out: dict[str, dict[str, float | None]] = {}
    for key in sorted(set(keys)):
        ratios = METRICS[key](units, period) if key in METRICS else {}
        out[key] = {unit: ratio.value for unit, ratio in ratios.items()}
    return out


# --- metrics with data -----------------------------------------------------------------------------


@metric("police_share", _("Police share in stations"))
def police_share(units: Units, period: Any) -> dict[str, Ratio]:
    """Police officers posted in stations / all police officers, postings open at the period's end."""
    from stations.choices import OfficerKind
    from stations.models import Posting

    on = period.end
    rows = (
        Posting.objects.filter(officer__kind=OfficerKind.POLICE, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values("station_id", "region__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_station: dict[int, tuple[float, float]] = {}
    by_region: dict[str, tuple[float, float]] = {}
    for row in rows:
        if row["station_id"] is not None:
            by_station[row["station_id"]] = (row["n"], row["n"])
        else:
            num, den = by_region.get(row["region__path"], (0, 0))
            by_region[row["region__path"]] = (num, den + row["n"])
    result = units.roll_up(by_station, by_region)
    return result


def _quality(units: Units, period: Any, field_name: str) -> dict[str, Ratio]:
    """The latest QualityRate rows on or before the period's end, summed over record kinds."""
    from registry.models import QualityRate

    rows = (
        QualityRate.objects.filter(day__lte=period.end)
        .order_by("station_id", "region_id", "kind", "-day")
        .distinct("station_id", "region_id", "kind")
        .values("station_id", "region_id", "total", field_name)
    )
    sums: dict[str, list[float]] = {}
    for row in rows:
        key = f"s:{row['station_id']}" if row["station_id"] else f"r:{row['region_id']}"
        acc = sums.setdefault(key, [0, 0])
        acc[0] += row[field_name]
        acc[1] += row["total"]
    return {key: Ratio(num, den) for key, (num, den) in sums.items() if key in set(units.keys)}


@metric("registry_completeness", _("Registry completeness"))
def registry_completeness(units: Units, period: Any) -> dict[str, Ratio]:
    return _quality(units, period, "complete")


@metric("registry_accuracy", _("Registry accuracy"))
def registry_accuracy(units: Units, period: Any) -> dict[str, Ratio]:
    return _quality(units, period, "accurate")


@metric("registry_freshness", _("Registry freshness"))
def registry_freshness(units: Units, period: Any) -> dict[str, Ratio]:
    return _quality(units, period, "fresh")


@metric("checkin_compliance", _("Check-in compliance"))
def checkin_compliance(units: Units, period: Any) -> dict[str, Ratio]:
    """Officer-months that met the check-in requirement / officer-months assessed."""
    try:
        from beats.models import MonthlyCompliance
    except ImportError:  # pragma: no cover - beats not wired
        return {}
    rows = (
        MonthlyCompliance.objects.filter(month__gte=period.start, month__lte=period.end)
        .values("station_id")
        .annotate(met=Count("id", filter=Q(met=True)), n=Count("id"), days=Sum("days_checked"))
        .order_by()
    )
    return units.roll_up({row["station_id"]: (row["met"], row["n"]) for row in rows})


# --- registered, waiting for their app's selectors ------------------------------------------------


def _no_data(units: Units, period: Any) -> dict[str, Ratio]:
    return {}


PENDING_METRICS = {
    "dispute_resolution": _("Dispute resolution rate"),
    "dispute_escalations": _("Dispute escalations"),
    "inspection_coverage": _("Inspection coverage of key venues"),
    "eight_nos_share": _("Eight-nos communities share"),
    "household_head_activity": _("Household-head activity"),
    "award_share": _("Award share of station officers"),
}
for _key, _label in PENDING_METRICS.items():
    metric(_key, _label)(_no_data)
