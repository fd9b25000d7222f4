"""The registry of metric functions the indicators read.

A metric is ``fn(units: Units, period: Period) -> {unit_key: Ratio | None}`` registered with
``@metric("key")``. It runs ONE set-based query for all units (the query count does not grow with
the number of units) and rolls station figures up to counties and cities in Python over the region
paths. Unit keys: ``"s:<station id>"`` and ``"r:<region id>"``. A metric whose source app is not
wired yet returns ``{}`` — "no data" — and its indicators are left out of the score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, Sum
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


# --- disputes ----------------------------------------------------------------------------------------


def _dispute_counts(period: Any) -> dict[int, Any]:
    """Each station's dispute ``Counts`` over the period's months, read from the disputes app's own
    monthly summary (``DisputeMonth``, kept current by ``disputes.tasks.refresh_figures``) — the same
    figures and definitions (``disputes.figures``) as the disputes dashboards. One query."""
    from disputes.figures import COUNT_FIELDS, Counts
    from disputes.models import DisputeMonth

    rows = (
        DisputeMonth.objects.filter(month__gte=period.start.replace(day=1), month__lte=period.end)
        .values("station_id")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
        .order_by()
    )
    return {row["station_id"]: Counts(**{name: int(row[name] or 0) for name in COUNT_FIELDS}) for row in rows}


@metric("dispute_resolution", _("Dispute resolution rate"))
def dispute_resolution(units: Units, period: Any) -> dict[str, Ratio]:
    """The disputes app's resolution rate (``disputes.figures.resolution_rate``): of the disputes
    found in the period, those resolved ÷ those found."""
    counts = _dispute_counts(period)
    return units.roll_up({pk: (c.resolved, c.found) for pk, c in counts.items()})


@metric("dispute_escalations", _("Dispute escalation rate"))
def dispute_escalations(units: Units, period: Any) -> dict[str, Ratio]:
    """Escalation rate, lower is better (the seed scores 0 as full points, 5 % as none): disputes that
    escalated into a criminal case or a homicide in the period (``Counts.escalated``, dated by the
    escalation) ÷ disputes found in the period."""
    counts = _dispute_counts(period)
    return units.roll_up({pk: (c.escalated, c.found) for pk, c in counts.items()})


# --- registry: key-venue inspections ------------------------------------------------------------------


def _local_range(period: Any) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) instants: local midnight of its first day to that after its last."""
    from django.conf import settings

    tz = ZoneInfo(settings.TIME_ZONE)
    begin = dt.datetime.combine(period.start, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return begin, end


@metric("inspection_coverage", _("Inspection coverage of key venues"))
def inspection_coverage(units: Units, period: Any) -> dict[str, Ratio]:
    """Key venues (registry units of ``KEY_TRADES``, not deleted) inspected at least once in the period
    ÷ key venues, by the venue's station. One query; the inspections' time range prunes partitions."""
    from registry.choices import KEY_TRADES
    from registry.models import Inspection, Unit

    begin, end = _local_range(period)
    inspected = Inspection.objects.filter(venue_id=OuterRef("pk"), inspected_at__gte=begin, inspected_at__lt=end)
    rows = (
        Unit.objects.filter(kind__in=[k.value for k in KEY_TRADES], deleted=False, station__isnull=False)
        .values("station_id")
        .annotate(n=Count("id"), done=Count("id", filter=Exists(inspected)))
        .order_by()
    )
    return units.roll_up({row["station_id"]: (row["done"], row["n"]) for row in rows})


# --- beats: eight nos and household heads --------------------------------------------------------------


@metric("eight_nos_share", _("Eight-nos communities share"))
def eight_nos_share(units: Units, period: Any) -> dict[str, Ratio]:
    """Communities holding all eight nos ÷ communities. A community holds all eight in a year while no
    breach of any of them is recorded that year (``beats.rules.eight_nos_standing``, which the
    ``EightNosStatus`` rows store); here counted up to the period's end, so a later breach does not
    change a past period's score."""
    from beats.models import Community, EightNosBreach

    year_start = dt.date(period.end.year, 1, 1)
    broken = EightNosBreach.objects.filter(
        community_id=OuterRef("pk"), occurred_on__gte=year_start, occurred_on__lte=period.end
    )
    rows = (
        Community.objects.values("station_id")
        .annotate(n=Count("id"), held=Count("id", filter=~Exists(broken)))
        .order_by()
    )
    return units.roll_up({row["station_id"]: (row["held"], row["n"]) for row in rows})


@metric("household_head_activity", _("Household-head activity rate"))
def household_head_activity(units: Units, period: Any) -> dict[str, Ratio]:
    """The share of household heads serving in the period (appointed by its end, not ended before its
    start) with at least one activity in the period that the station confirmed — a rate, as the
    seed's target of 80 % implies — by the head's station."""
    from beats.choices import ActivityStatus
    from beats.models import HouseholdHead, HouseholdHeadActivity

    confirmed = HouseholdHeadActivity.objects.filter(
        head_id=OuterRef("pk"), status=ActivityStatus.CONFIRMED,
        occurred_on__gte=period.start, occurred_on__lte=period.end,
    )
    rows = (
        HouseholdHead.objects.filter(appointed_on__lte=period.end)
        .filter(Q(ended_on__isnull=True, is_active=True) | Q(ended_on__gte=period.start))
        .values("station_id")
        .annotate(n=Count("id"), active=Count("id", filter=Exists(confirmed)))
        .order_by()
    )
    return units.roll_up({row["station_id"]: (row["active"], row["n"]) for row in rows})


# --- rewards ---------------------------------------------------------------------------------------------


@metric("award_share", _("Award share of station officers"))
def award_share(units: Units, period: Any) -> dict[str, Ratio]:
    """The 30 % rule's share (``rewards.shares``): of the confirmed individual awards given in the
    period to officers of the unit, those to officers posted at a station (``at_station``). Awards are
    placed where the recipient was posted on the award date, as the rewards app places them and scopes
    its share page; an officer of a county or city bureau is held by that region."""
    from rewards import shares
    from rewards.models import Award

    rows = (
        Award.objects.filter(confirmed=True, officer__isnull=False,
                             awarded_on__gte=period.start, awarded_on__lte=period.end)
        .values("station_id", "region__path")
        .annotate(individual=Count("id"), at_station=Count("id", filter=Q(at_station=True)))
        .order_by()
    )
    by_station: dict[int, shares.ShareCounts] = {}
    by_region: dict[str, shares.ShareCounts] = {}
    for row in rows:
        counts = shares.ShareCounts(row["individual"], row["at_station"])
        if row["station_id"] is not None:
            by_station[row["station_id"]] = by_station.get(row["station_id"], shares.ShareCounts()) + counts
        else:
            by_region[row["region__path"]] = by_region.get(row["region__path"], shares.ShareCounts()) + counts
    return units.roll_up(
        {pk: (c.at_station, c.individual) for pk, c in by_station.items()},
        {path: (c.at_station, c.individual) for path, c in by_region.items()},
    )


# --- registered, waiting for their app's selectors ------------------------------------------------


def _no_data(units: Units, period: Any) -> dict[str, Ratio]:
    return {}


# Metrics whose app cannot answer yet, registered as "no data" (none at present: every metric above
# reads its app).
PENDING_METRICS: dict[str, Any] = {}
for _key, _label in PENDING_METRICS.items():
    metric(_key, _label)(_no_data)
