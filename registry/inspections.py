"""Key-venue inspections: monthly partitions, weekly plans drawn at random, inspections recorded
against them, and coverage per station rolled up through the org tree.

* ``inspection_partitions_ensure`` creates the monthly partitions of ``registry_inspection`` ahead
  of time (a daily Celery task; idempotent). Rows that fell into the default partition for a month
  that gets its own partition are moved into it in the same transaction.
* ``inspection_plans_draw`` draws every station's plan for the week starting on a Monday, on that
  Monday (never earlier), with :class:`secrets.SystemRandom` — the operating system's cryptographic
  generator — so no one can work out in advance which venue is next. A plan is stored when drawn.
* ``coverage_*`` are pure functions of counts; ``inspection_coverage`` reads the counts with one
  set-based query per page whatever the number of stations.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from registry.choices import KEY_TRADES

PARENT_TABLE = "registry_inspection"
COVERAGE_WEEKS = 4


# --- partitions ------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{PARENT_TABLE}_y{month.year:04d}m{month.month:02d}"


def _bound(month: dt.date) -> str:
    """A month boundary as a timestamptz literal in the portal's time zone (months are local months)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(month.year, month.month, 1, tzinfo=tz).isoformat()


def inspection_partitions_ensure(
    *, today: dt.date | None = None, months_back: int = 0, months_ahead: int = 3, using: str = "default"
) -> list[str]:
    """Create the monthly partitions from ``months_back`` before ``today``'s month to ``months_ahead``
    after it that do not exist yet; return the names created."""
    today = today or timezone.localdate()
    first = add_months(month_start(today), -months_back)
    months = [add_months(first, i) for i in range(months_back + months_ahead + 1)]
    return inspection_partitions_create(months=months, using=using)


def inspection_partitions_create(*, months: Iterable[dt.date], using: str = "default") -> list[str]:
    created: list[str] = []
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [PARENT_TABLE],
        )
        existing = {row[0] for row in cursor.fetchall()}
        for month in sorted({month_start(m) for m in months}):
            name = partition_name(month)
            if name in existing:
                continue
            low, high = _bound(month), _bound(add_months(month, 1))
            # Build the partition detached, move any rows the default partition holds for its range,
            # then attach it (ATTACH checks the default partition no longer has rows in the range).
            cursor.execute(
                f'CREATE TABLE "{name}" (LIKE {PARENT_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
            )
            cursor.execute(
                f"WITH moved AS (DELETE FROM {PARENT_TABLE}_default WHERE inspected_at >= %s AND inspected_at < %s "
                f'RETURNING *) INSERT INTO "{name}" SELECT * FROM moved',
                [low, high],
            )
            cursor.execute(
                f'ALTER TABLE {PARENT_TABLE} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)',
                [low, high],
            )
            created.append(name)
    return created


# --- plans ---------------------------------------------------------------------------------------------


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def plan_size(key_venues: int, *, weeks: int = COVERAGE_WEEKS, minimum: int = 1) -> int:
    """How many venues a week's plan holds: enough that, drawn each week, the plan could cover every key
    venue over ``weeks`` weeks (⌈n / weeks⌉), at least ``minimum``, never more than there are."""
    if key_venues <= 0:
        return 0
    return min(key_venues, max(minimum, math.ceil(key_venues / weeks)))


def draw_venues(venue_ids: Sequence[int], size: int, *, rng: Any = None) -> list[int]:
    """``size`` distinct venues drawn uniformly from ``venue_ids`` with a cryptographic generator."""
    rng = rng or secrets.SystemRandom()
    return sorted(rng.sample(list(venue_ids), min(size, len(venue_ids))))


class PlanTooEarly(ValueError):
    """A week's plan may be drawn only once that week has begun."""


def inspection_plans_draw(*, week: dt.date, today: dt.date, station_ids: Iterable[int] | None = None) -> int:
    """Draw the plan of ``week`` (its Monday) for every active station that has key venues and no plan
    for that week yet; return how many plans were drawn. Refuses a week that has not begun, so no plan
    exists before its Monday. Three queries whatever the number of stations."""
    from registry.models import InspectionPlan, InspectionPlanItem, Unit
    from stations.models import Station

    monday = week_start(week)
    if monday > today:
        raise PlanTooEarly(f"the plan of the week of {monday} cannot be drawn before that Monday")
    stations = Station.objects.filter(is_active=True)
    if station_ids is not None:
        stations = stations.filter(pk__in=list(station_ids))
    venues: dict[int, list[int]] = defaultdict(list)
    rows = (
        Unit.objects.filter(station__in=stations, kind__in=[k.value for k in KEY_TRADES], deleted=False)
        .exclude(station__in=InspectionPlan.objects.filter(week_start=monday).values("station"))
        .values_list("station_id", "id")
    )
    for station_id, unit_id in rows:
        venues[station_id].append(unit_id)
    if not venues:
        return 0
    rng = secrets.SystemRandom()
    now = timezone.now()
    with transaction.atomic():
        plans = InspectionPlan.objects.bulk_create(
            [
                InspectionPlan(station_id=sid, week_start=monday, drawn_at=now, key_venues=len(ids))
                for sid, ids in sorted(venues.items())
            ],
            ignore_conflicts=False,
        )
        items = [
            InspectionPlanItem(plan=plan, venue_id=vid)
            for plan in plans
            for vid in draw_venues(venues[plan.station_id], plan_size(len(venues[plan.station_id])), rng=rng)
        ]
        InspectionPlanItem.objects.bulk_create(items, batch_size=5000)
    return len(plans)


# --- recording -----------------------------------------------------------------------------------------


class NotAKeyVenue(ValueError):
    pass


def inspection_record(
    *,
    user: Any,
    venue_id: int,
    inspected_at: dt.datetime,
    officer_ids: Sequence[int],
    unannounced: bool,
    findings: str = "",
    rectification: str = "",
    deadline: dt.date | None = None,
    rectified_on: dt.date | None = None,
) -> Any:
    """Record an inspection of a key venue in the user's jurisdiction (404-equivalent ``DoesNotExist``
    when the venue is outside it). The station is the venue's; officers must be posted in scope."""
    from registry.models import Inspection, Unit
    from stations.models import Officer

    with transaction.atomic():
        venue = Unit.objects.for_user(user).select_for_update().get(pk=venue_id, deleted=False)
        if venue.kind not in KEY_TRADES:
            raise NotAKeyVenue(venue_id)
        ids = sorted(set(officer_ids))
        known = set(Officer.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
        if known != set(ids):
            raise Officer.DoesNotExist(sorted(set(ids) - known))
        inspection = Inspection(
            venue=venue,
            station_id=venue.station_id,
            inspected_at=inspected_at,
            officer_ids=ids,
            unannounced=unannounced,
            findings=findings,
            rectification=rectification,
            deadline=deadline,
            rectified_on=rectified_on,
            recorded_by=user,
        )
        inspection.full_clean(exclude=["id", "officer_ids", "recorded_by", "venue", "station"])
        inspection.save(force_insert=True)
    return inspection


# --- coverage (pure) ------------------------------------------------------------------------------------


def coverage_ratio(covered: int, total: int) -> float | None:
    """Share covered; ``None`` when there is nothing to cover (no plan, no key venue)."""
    return covered / total if total else None


@dataclass
class Coverage:
    """Counts for one station or one region."""

    planned: int = 0
    planned_done: int = 0
    venues: int = 0
    venues_done: int = 0
    inspections: int = 0

    def add(self, other: Coverage) -> None:
        self.planned += other.planned
        self.planned_done += other.planned_done
        self.venues += other.venues
        self.venues_done += other.venues_done
        self.inspections += other.inspections

    @property
    def plan_rate(self) -> float | None:
        return coverage_ratio(self.planned_done, self.planned)

    @property
    def four_week_rate(self) -> float | None:
        return coverage_ratio(self.venues_done, self.venues)


@dataclass
class CoverageRow:
    kind: str  # "station" or "region"
    unit_id: int
    name: str
    coverage: Coverage = field(default_factory=Coverage)


def coverage_rollup(
    station_counts: dict[int, Coverage], station_paths: dict[int, str], region_paths: dict[int, str]
) -> dict[int, Coverage]:
    """Sum station counts into every region whose path is a prefix of the station's county path."""
    by_path = {path: rid for rid, path in region_paths.items()}
    totals: dict[int, Coverage] = {rid: Coverage() for rid in region_paths}
    for station_id, counts in station_counts.items():
        path = station_paths.get(station_id, "")
        parts = [p for p in path.split("/") if p]
        for depth in range(1, len(parts) + 1):
            rid = by_path.get("/".join(parts[:depth]) + "/")
            if rid is not None:
                totals[rid].add(counts)
    return totals


# --- coverage (read) ------------------------------------------------------------------------------------


def _window(monday: dt.date) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    week_begin = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
    week_end = week_begin + dt.timedelta(days=7)
    four_weeks_begin = week_end - dt.timedelta(days=7 * COVERAGE_WEEKS)
    return week_begin, week_end, four_weeks_begin


COVERAGE_SQL = """
WITH st AS (SELECT unnest(%(stations)s::bigint[]) AS id),
venues AS MATERIALIZED (
    SELECT u.station_id, u.id FROM registry_unit u
    WHERE u.station_id = ANY(%(stations)s) AND u.kind = ANY(%(kinds)s) AND NOT u.deleted
),
planned AS (
    SELECT p.station_id, it.venue_id,
        EXISTS (SELECT 1 FROM registry_inspection i WHERE i.venue_id = it.venue_id
                AND i.inspected_at >= %(week_begin)s AND i.inspected_at < %(week_end)s) AS done
    FROM registry_inspectionplan p JOIN registry_inspectionplanitem it ON it.plan_id = p.id
    WHERE p.week_start = %(monday)s AND p.station_id = ANY(%(stations)s)
)
SELECT st.id, coalesce(pl.n, 0), coalesce(pl.done, 0), coalesce(v.n, 0), coalesce(vd.n, 0), coalesce(w.n, 0)
FROM st
LEFT JOIN (SELECT station_id, count(*) AS n, count(*) FILTER (WHERE done) AS done FROM planned GROUP BY 1) pl
    ON pl.station_id = st.id
LEFT JOIN (SELECT station_id, count(*) AS n FROM venues GROUP BY 1) v ON v.station_id = st.id
LEFT JOIN (
    SELECT v.station_id, count(DISTINCT i.venue_id) AS n
    FROM registry_inspection i JOIN venues v ON v.id = i.venue_id
    WHERE i.station_id = ANY(%(stations)s) AND i.inspected_at >= %(four_weeks_begin)s AND i.inspected_at < %(week_end)s
    GROUP BY 1
) vd ON vd.station_id = st.id
LEFT JOIN (
    SELECT station_id, count(*) AS n FROM registry_inspection
    WHERE station_id = ANY(%(stations)s) AND inspected_at >= %(week_begin)s AND inspected_at < %(week_end)s
    GROUP BY 1
) w ON w.station_id = st.id
"""


def inspection_coverage_counts(*, station_ids: Sequence[int], monday: dt.date) -> dict[int, Coverage]:
    """Coverage counts of ``monday``'s week for the given stations, in one query."""
    week_begin, week_end, four_weeks_begin = _window(monday)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            COVERAGE_SQL,
            {
                "stations": list(station_ids),
                "kinds": [k.value for k in KEY_TRADES],
                "monday": monday,
                "week_begin": week_begin,
                "week_end": week_end,
                "four_weeks_begin": four_weeks_begin,
            },
        )
        return {
            row[0]: Coverage(
                planned=row[1], planned_done=row[2], venues=row[3], venues_done=row[4], inspections=row[5]
            )
            for row in cursor.fetchall()
        }


def inspection_coverage(*, user: Any, monday: dt.date) -> tuple[list[CoverageRow], Coverage]:
    """Coverage of the week and of the four weeks ending with it, per visible station and rolled up
    per visible region: rows (regions first, by path, then stations) and the grand total."""
    from stations.jurisdiction import visible_regions, visible_stations

    stations = list(visible_stations(user).select_related("county").order_by("code"))
    counts = inspection_coverage_counts(station_ids=[s.pk for s in stations], monday=monday)
    regions = list(visible_regions(user).order_by("path"))
    region_totals = coverage_rollup(
        counts, {s.pk: s.county.path for s in stations}, {r.pk: r.path for r in regions}
    )
    rows = [CoverageRow("region", r.pk, r.name, region_totals[r.pk]) for r in regions]
    rows += [CoverageRow("station", s.pk, s.name, counts.get(s.pk, Coverage())) for s in stations]
    total = Coverage()
    for c in counts.values():
        total.add(c)
    return rows, total
