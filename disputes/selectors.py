"""Reads of the disputes app. Every selector takes the user and applies jurisdiction first; each runs
a fixed number of queries, however many disputes there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.choices import (
    ESCALATED_STATES,
    OPEN_STATES,
    TRANSFERRED_STATES,
    DisputeState,
    FollowUpStatus,
    RiskLevel,
)
from disputes.figures import COUNT_FIELDS, Counts, FigureRow, Period
from disputes.filters import DisputeFilterSet
from disputes.models import Dispute, DisputeMonth, FollowUp
from stations.choices import Role
from stations.jurisdiction import scope
from stations.models import Officer, Region, Station

DEFAULT_ATTENTION_DAYS = 7


# --- lists --------------------------------------------------------------------------------------


def dispute_list(*, user: Any, filters: Any = None, request: HttpRequest | None = None) -> QuerySet[Dispute]:
    """Disputes in ``user``'s jurisdiction, narrowed by the one dispute FilterSet (invalid filters
    give no rows)."""
    qs = scope(Dispute.objects.all(), user).select_related("station", "officer", "beat", "community")
    if filters is None:
        return qs
    filterset = DisputeFilterSet(filters, queryset=qs, request=request)
    return filterset.qs if filterset.is_valid() else qs.none()


def dispute_detail_queryset(*, user: Any) -> QuerySet[Dispute]:
    """A dispute with everything its page and the API show, in a fixed number of queries."""
    return (
        scope(Dispute.objects.all(), user)
        .select_related("station", "officer", "beat", "community", "created_by")
        .prefetch_related(
            "parties",
            "sessions__officer",
            "transitions__user",
            "transitions__officer",
            "followups__officer",
        )
    )


# --- the station's board ------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardColumn:
    key: str
    label: str
    states: tuple[str, ...]
    count: int
    disputes: list[Dispute]

    @property
    def more(self) -> bool:
        return self.count > len(self.disputes)


def board_columns() -> list[tuple[str, str, tuple[str, ...]]]:
    from django.utils.translation import gettext as _

    return [
        ("screening", _("Screening"), (DisputeState.SCREENING,)),
        ("mediating", _("Mediating"), (DisputeState.MEDIATING,)),
        ("resolved", _("Resolved"), (DisputeState.RESOLVED,)),
        ("escalated", _("Escalated"), tuple(ESCALATED_STATES)),
        ("transferred", _("Transferred"), tuple(TRANSFERRED_STATES)),
    ]


def dispute_board(*, user: Any, station: Station, limit: int = 25) -> list[BoardColumn]:
    """The station's disputes by state: for each column the count and the ``limit`` most recently
    active (open ones) or most recently closed. One count query plus one query per column."""
    station_qs = scope(Dispute.objects.filter(station=station), user)
    counts = dict(station_qs.order_by().values_list("state").annotate(n=Count("id")))
    columns = []
    for key, label, states in board_columns():
        order = ("-last_action_at", "-id") if key in ("screening", "mediating") else ("-closed_on", "-id")
        rows = list(station_qs.filter(state__in=states).select_related("officer").order_by(*order)[:limit])
        columns.append(BoardColumn(key, label, states, sum(counts.get(s, 0) for s in states), rows))
    return columns


# --- attention ----------------------------------------------------------------------------------


def attention_days() -> int:
    """Days without action after which an open high-risk dispute needs attention
    (``DISPUTES_ATTENTION_DAYS``, default 7)."""
    return int(getattr(settings, "DISPUTES_ATTENTION_DAYS", DEFAULT_ATTENTION_DAYS))


@dataclass(frozen=True)
class Attention:
    quiet_days: int
    today: dt.date
    stale: list[Dispute] = field(default_factory=list)
    stale_more: bool = False
    followups: list[FollowUp] = field(default_factory=list)
    followups_more: bool = False

    @property
    def empty(self) -> bool:
        return not self.stale and not self.followups


def dispute_attention(
    *, user: Any, now: dt.datetime, quiet_days: int | None = None, soon_days: int = 3, limit: int = 20
) -> Attention:
    """What needs the user's attention now: open high-risk disputes with no action for
    ``quiet_days`` days (oldest silence first), and follow-up visits due by ``soon_days`` from
    today (most overdue first). An officer sees the disputes they are responsible for and the
    station's unassigned ones; a station head the whole station; staff above their subtree.
    Two queries, at most ``limit`` rows each."""
    from django.utils import timezone

    quiet_days = attention_days() if quiet_days is None else quiet_days
    today = timezone.localtime(now).date()
    disputes = scope(Dispute.objects.all(), user)
    followups = scope(FollowUp.objects.all(), user)
    officer_id = getattr(user, "officer_id", None)
    if getattr(user, "role", None) == Role.OFFICER and officer_id:
        mine = Q(officer_id=officer_id) | Q(officer__isnull=True)
        disputes = disputes.filter(mine)
        followups = followups.filter(Q(dispute__officer_id=officer_id) | Q(dispute__officer__isnull=True))
    stale = list(
        disputes.filter(
            state__in=list(OPEN_STATES),
            risk=RiskLevel.HIGH,
            last_action_at__lt=now - dt.timedelta(days=quiet_days),
        )
        .select_related("station", "officer")
        .order_by("last_action_at", "id")[: limit + 1]
    )
    due = list(
        followups.filter(status=FollowUpStatus.PENDING, due_on__lte=today + dt.timedelta(days=soon_days))
        .select_related("dispute__station", "dispute__officer")
        .order_by("due_on", "id")[: limit + 1]
    )
    return Attention(
        quiet_days=quiet_days,
        today=today,
        stale=stale[:limit],
        stale_more=len(stale) > limit,
        followups=due[:limit],
        followups_more=len(due) > limit,
    )


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FiguresReport:
    unit: Region | Station
    period: Period
    total: FigureRow
    rows: list[FigureRow]  # the unit's children (cities, counties or stations); empty for a station


def _unit_key(unit: Region) -> Any:
    """Which child of ``unit`` a station belongs to: ``r<path of the child region>`` or, for a
    station directly under the unit, ``s<station id>`` (region paths are '/'-joined 6-digit codes)."""
    prefix_length = len(unit.path) + 7
    from django.db.models import Case, When

    return Case(
        When(
            station__county__path=unit.path,
            then=Concat(Value("s"), Cast("station_id", output_field=CharField())),
        ),
        default=Concat(Value("r"), Substr("station__county__path", 1, prefix_length)),
        output_field=CharField(),
    )


def _aggregates(period: Period) -> dict[str, Any]:
    this_q = Q(month__gte=period.first, month__lte=period.last)
    last = period.last_year()
    last_q = Q(month__gte=last.first, month__lte=last.last)
    aggregates: dict[str, Any] = {}
    for name in COUNT_FIELDS:
        aggregates[f"this_{name}"] = Sum(name, filter=this_q)
        aggregates[f"last_{name}"] = Sum(name, filter=last_q)
    return aggregates


def _counts(row: dict[str, Any], which: str) -> Counts:
    return Counts(**{name: int(row.get(f"{which}_{name}") or 0) for name in COUNT_FIELDS})


def dispute_figures(*, user: Any, unit: Region | Station, period: Period) -> FiguresReport:
    """Dispute figures of ``unit`` and of each of its children for ``period`` and the same months a
    year earlier, read from the monthly summary: three queries whatever the size of the unit.

    ``unit`` must be in ``user``'s jurisdiction (callers fetch it through the jurisdiction scope)."""
    last = period.last_year()
    months = DisputeMonth.objects.filter(
        Q(month__gte=period.first, month__lte=period.last) | Q(month__gte=last.first, month__lte=last.last)
    )
    months = scope(months, user).order_by()
    if isinstance(unit, Station):
        row = months.filter(station=unit).aggregate(**_aggregates(period))
        total = FigureRow("station", unit.pk, unit.name, _counts(row, "this"), _counts(row, "last"))
        return FiguresReport(unit=unit, period=period, total=total, rows=[])

    by_key = {
        row["key"]: row
        for row in months.filter(station__county__path__startswith=unit.path)
        .values(key=_unit_key(unit))
        .annotate(**_aggregates(period))
    }
    rows: list[FigureRow] = []
    for region in scope(Region.objects.filter(parent=unit), user).order_by("code"):
        row = by_key.get(f"r{region.path}", {})
        rows.append(FigureRow("region", region.pk, region.name, _counts(row, "this"), _counts(row, "last")))
    for station in scope(Station.objects.filter(county=unit), user).order_by("code"):
        row = by_key.get(f"s{station.pk}", {})
        rows.append(
            FigureRow("station", station.pk, station.name, _counts(row, "this"), _counts(row, "last"))
        )
    this, last_counts = Counts(), Counts()
    for row in by_key.values():
        this, last_counts = this + _counts(row, "this"), last_counts + _counts(row, "last")
    total = FigureRow("region", unit.pk, unit.name, this, last_counts)
    return FiguresReport(unit=unit, period=period, total=total, rows=rows)


def figures_live(*, user: Any, unit: Region | Station, period: Period) -> Counts:
    """The same totals counted straight from the disputes (one query): what the summary must agree
    with once refreshed. For checks and small units, not for dashboards."""
    qs = scope(Dispute.objects.all(), user).order_by()
    if isinstance(unit, Station):
        qs = qs.filter(station=unit)
    else:
        qs = qs.filter(station__county__path__startswith=unit.path)
    found_q = Q(found_on__gte=period.first, found_on__lte=period.end)
    closed_q = Q(closed_on__gte=period.first, closed_on__lte=period.end)
    open_ = list(OPEN_STATES)
    row = qs.aggregate(
        found=Count("id", filter=found_q),
        resolved=Count("id", filter=found_q & Q(state=DisputeState.RESOLVED)),
        transferred=Count("id", filter=found_q & Q(state__in=TRANSFERRED_STATES)),
        open_low=Count("id", filter=found_q & Q(state__in=open_, risk=RiskLevel.LOW)),
        open_medium=Count("id", filter=found_q & Q(state__in=open_, risk=RiskLevel.MEDIUM)),
        open_high=Count("id", filter=found_q & Q(state__in=open_, risk=RiskLevel.HIGH)),
        criminal=Count("id", filter=closed_q & Q(state=DisputeState.ESCALATED_CRIMINAL)),
        homicide=Count("id", filter=closed_q & Q(state=DisputeState.ESCALATED_HOMICIDE)),
    )
    return Counts(**row)


# --- visits and coverage ------------------------------------------------------------------------


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def share(part: int, total: int) -> float | None:
    """A coverage share in 0–1; ``None`` where there are no households to visit."""
    if part < 0 or total < 0 or part > total:
        raise ValueError(f"bad counts {part}/{total}")
    return part / total if total else None


@dataclass
class CoverageRow:
    """Households (houses with someone living there) of a beat, a station or a whole jurisdiction,
    and how many were visited this quarter, this year, and never."""

    key: Any
    name: str
    households: int = 0
    visited_quarter: int = 0
    visited_year: int = 0
    never_visited: int = 0
    station_id: int | None = None
    station_name: str = ""
    beat_id: int | None = None

    @property
    def quarter_share(self) -> float | None:
        return share(self.visited_quarter, self.households)

    @property
    def year_share(self) -> float | None:
        return share(self.visited_year, self.households)

    def add(self, other: CoverageRow) -> None:
        self.households += other.households
        self.visited_quarter += other.visited_quarter
        self.visited_year += other.visited_year
        self.never_visited += other.never_visited


@dataclass
class Coverage:
    today: dt.date
    quarter_from: dt.date
    year_from: dt.date
    beats: list[CoverageRow]
    stations: list[CoverageRow]
    total: CoverageRow


def _open_residence(day: dt.date) -> Any:
    from django.db.models import Exists, OuterRef

    from registry.models import Residence

    return Exists(
        Residence.objects.filter(house=OuterRef("pk"), start__lte=day).filter(
            Q(end__isnull=True) | Q(end__gte=day)
        )
    )


def households(*, user: Any, today: dt.date) -> QuerySet[Any]:
    """Houses in ``user``'s jurisdiction with someone living there on ``today``."""
    from registry.models import House

    return scope(House.objects.filter(deleted=False), user).filter(_open_residence(today))


def _visited(since: dt.date | None, until: dt.date) -> Any:
    from django.db.models import Exists, OuterRef

    from disputes.models import Visit

    visits = Visit.objects.filter(house=OuterRef("pk"), visited_on__lte=until)
    if since is not None:
        visits = visits.filter(visited_on__gte=since)
    return Exists(visits)


def visit_coverage(
    *, user: Any, today: dt.date, station: Station | None = None, beat: Any = None
) -> Coverage:
    """Coverage per beat, rolled up per station and in all, for ``user``'s jurisdiction (narrowed to
    ``station`` or ``beat``). Two queries however many beats: one grouped count of households, one
    list of beats (beats without households show with zeros)."""
    from beats.models import Beat

    q_from, y_from = quarter_start(today), year_start(today)
    houses = households(user=user, today=today)
    beats = scope(Beat.objects.all(), user)
    if station is not None:
        houses = houses.filter(station=station)
        beats = beats.filter(station=station)
    if beat is not None:
        houses = houses.filter(address__beat=beat)
        beats = beats.filter(pk=beat.pk)
    counts = (
        houses.order_by()
        .values("station_id", "address__beat_id")
        .annotate(
            n=Count("id"),
            quarter=Count("id", filter=Q(_visited(q_from, today))),
            year=Count("id", filter=Q(_visited(y_from, today))),
            never=Count("id", filter=~Q(_visited(None, today))),
        )
    )
    rows: dict[Any, CoverageRow] = {}
    for b in beats.order_by("station__code", "code").values("pk", "name", "station_id", "station__name"):
        rows[b["pk"]] = CoverageRow(
            key=b["pk"],
            name=b["name"],
            station_id=b["station_id"],
            station_name=b["station__name"],
            beat_id=b["pk"],
        )
    station_names = {r.station_id: r.station_name for r in rows.values()}
    for c in counts:
        key = c["address__beat_id"] or ("none", c["station_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = CoverageRow(
                key=key,
                name=str(_("No beat area")),
                station_id=c["station_id"],
                station_name=station_names.get(c["station_id"], ""),
            )
        row.add(
            CoverageRow(
                key=key,
                name="",
                households=c["n"],
                visited_quarter=c["quarter"],
                visited_year=c["year"],
                never_visited=c["never"],
            )
        )
    per_station: dict[Any, CoverageRow] = {}
    total = CoverageRow(key=None, name=str(_("All")))
    for row in rows.values():
        st = per_station.setdefault(
            row.station_id, CoverageRow(key=row.station_id, name=row.station_name, station_id=row.station_id)
        )
        st.add(row)
        total.add(row)
    return Coverage(
        today=today,
        quarter_from=q_from,
        year_from=y_from,
        beats=list(rows.values()),
        stations=list(per_station.values()),
        total=total,
    )


def never_visited(
    *, user: Any, today: dt.date, beat: Any = None, station: Station | None = None
) -> QuerySet[Any]:
    """The households never visited, in ``user``'s jurisdiction (of one beat or station), by address."""
    houses = households(user=user, today=today).filter(~Q(_visited(None, today)))
    if station is not None:
        houses = houses.filter(station=station)
    if beat is not None:
        houses = houses.filter(address__beat=beat)
    return houses.select_related("address")


@dataclass(frozen=True)
class Freshness:
    total: int
    fresh: int

    @property
    def rate(self) -> float:
        from registry.quality import rate

        return rate(self.fresh, self.total)


def beat_freshness(*, user: Any, beat: Any, now: dt.datetime) -> Freshness:
    """The registry's freshness rate (``registry.quality``: the same windows per person category) of
    the persons living in ``beat``'s households: one query."""
    from django.db.models import Exists, OuterRef

    from registry.models import Person, Residence
    from registry.quality import freshness_cutoff, freshness_windows

    day = timezone.localdate(now)
    windows = freshness_windows()
    living = Residence.objects.filter(
        person=OuterRef("pk"), house__address__beat=beat, house__deleted=False, start__lte=day
    ).filter(Q(end__isnull=True) | Q(end__gte=day))
    persons = scope(Person.objects.filter(deleted=False), user).filter(Exists(living))
    fresh = Q()
    for category in ("permanent", "floating", "overseas"):
        cutoff = freshness_cutoff(now=now, days=windows[f"persons.{category}"])
        fresh |= Q(category=category, verified_at__gte=cutoff)
    row = persons.aggregate(total=Count("id"), fresh=Count("id", filter=fresh))
    return Freshness(total=row["total"], fresh=row["fresh"])


# --- sentiment reports --------------------------------------------------------------------------


@dataclass
class SentimentCounts:
    """Reports per unit and category in a period: ``rows`` are (unit id, unit name, {category: n},
    total), ``by_category`` the column totals."""

    since: dt.date
    until: dt.date
    by: str
    categories: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    by_category: dict[str, int]
    total: int
    pending: int


def sentiment_counts(*, user: Any, since: dt.date, until: dt.date, by: str = "station") -> SentimentCounts:
    """Sentiment reports in ``user``'s jurisdiction reported in ``[since, until]``, counted by
    category and by unit (``by``: ``station`` or ``county``) — one grouped query."""
    from disputes.choices import SentimentCategory, SentimentState
    from disputes.models import SentimentReport

    unit = "station" if by == "station" else "station__county"
    qs = (
        scope(SentimentReport.objects.filter(reported_on__gte=since, reported_on__lte=until), user)
        .order_by()
        .values(f"{unit}_id", f"{unit}__name", "category")
        .annotate(n=Count("id"), pending=Count("id", filter=Q(state=SentimentState.PENDING)))
    )
    units: dict[Any, dict[str, Any]] = {}
    by_category = {value: 0 for value in SentimentCategory.values}
    pending = 0
    for row in qs:
        key = row[f"{unit}_id"]
        entry = units.setdefault(
            key,
            {"id": key, "name": row[f"{unit}__name"], "counts": dict.fromkeys(by_category, 0), "total": 0},
        )
        entry["counts"][row["category"]] = row["n"]
        entry["total"] += row["n"]
        by_category[row["category"]] += row["n"]
        pending += row["pending"]
    rows = sorted(units.values(), key=lambda e: (-e["total"], e["name"]))
    for entry in rows:
        entry["cells"] = [entry["counts"][value] for value in by_category]
    return SentimentCounts(
        since=since,
        until=until,
        by=by,
        categories=list(SentimentCategory.choices),
        rows=rows,
        by_category=by_category,
        total=sum(by_category.values()),
        pending=pending,
    )


@dataclass
class SentimentAttention:
    urgent: list[Any]
    urgent_more: bool
    waiting: list[Any]
    waiting_more: bool

    @property
    def empty(self) -> bool:
        return not self.urgent and not self.waiting


SENTIMENT_ATTENTION_ROLES = {Role.STATION_HEAD, Role.COUNTY_STAFF, Role.CITY_STAFF}


def sentiment_attention(*, user: Any, limit: int = 10) -> SentimentAttention | None:
    """What the home page shows the station head and county (or city) staff: urgent reports still
    open, and reports waiting for a decision (a station head's) or reported up to them (county
    or city staff), oldest first. Two bounded queries; ``None`` for other roles."""
    from disputes.choices import SentimentState, Urgency
    from disputes.models import SentimentReport

    role = getattr(user, "role", None)
    if role not in SENTIMENT_ATTENTION_ROLES:
        return None
    reports = scope(SentimentReport.objects.all(), user).select_related("station")
    urgent = list(
        reports.filter(urgency=Urgency.URGENT)
        .exclude(state=SentimentState.CLOSED)
        .order_by("last_action_at", "id")[: limit + 1]
    )
    waiting_state = {
        Role.STATION_HEAD: SentimentState.PENDING,
        Role.COUNTY_STAFF: SentimentState.REPORTED_COUNTY,
        Role.CITY_STAFF: SentimentState.REPORTED_CITY,
    }[role]
    waiting = list(
        reports.filter(state=waiting_state)
        .exclude(urgency=Urgency.URGENT)
        .order_by("last_action_at", "id")[: limit + 1]
    )
    return SentimentAttention(
        urgent=urgent[:limit],
        urgent_more=len(urgent) > limit,
        waiting=waiting[:limit],
        waiting_more=len(waiting) > limit,
    )


# --- mass prevention and training ---------------------------------------------------------------


def prevention_counts(*, user: Any, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Per station (in ``user``'s jurisdiction) and kind: activities held in ``[since, until]``, the
    officer and household-head turns in them. Two grouped queries."""
    from disputes.choices import PreventionKind
    from disputes.models import PreventionActivity, PreventionParticipant

    activities = scope(PreventionActivity.objects.filter(held_on__gte=since, held_on__lte=until), user)
    rows: dict[Any, dict[str, Any]] = {}

    def row(station_id: int, name: str) -> dict[str, Any]:
        return rows.setdefault(
            station_id,
            {
                "id": station_id,
                "name": name,
                "activities": dict.fromkeys(PreventionKind.values, 0),
                "total": 0,
                "officer_turns": 0,
                "head_turns": 0,
            },
        )

    for r in activities.order_by().values("station_id", "station__name", "kind").annotate(n=Count("id")):
        entry = row(r["station_id"], r["station__name"])
        entry["activities"][r["kind"]] = r["n"]
        entry["total"] += r["n"]
    turns = (
        PreventionParticipant.objects.filter(activity__in=activities.values("pk"))
        .order_by()
        .values("activity__station_id", "activity__station__name")
        .annotate(officers=Count("officer_id"), heads=Count("household_head_id"))
    )
    for r in turns:
        entry = row(r["activity__station_id"], r["activity__station__name"])
        entry["officer_turns"], entry["head_turns"] = r["officers"], r["heads"]
    for entry in rows.values():
        entry["cells"] = [entry["activities"][kind] for kind in PreventionKind.values]
    return sorted(rows.values(), key=lambda e: e["name"])


@dataclass
class TrainingRow:
    officer: Any
    last: dict[str, dt.date | None]

    @property
    def cells(self) -> list[dt.date | None]:
        from disputes.choices import TrainingSkill

        return [self.last.get(skill) for skill in TrainingSkill.values]

    @property
    def complete(self) -> bool:
        return all(self.cells)


def training_matrix(*, user: Any, station: Station, since: dt.date | None = None) -> list[TrainingRow]:
    """Who at ``station`` is trained in what: for each active officer and skill, the last session
    passed (since ``since``, if given). Two queries."""
    from django.db.models import Max

    from disputes.models import TrainingAttendance

    officers = list(
        scope(Officer.objects.filter(station=station, is_active=True), user).order_by("name", "pk")
    )
    passed = scope(TrainingAttendance.objects.filter(session__station=station, passed=True), user)
    if since is not None:
        passed = passed.filter(session__held_on__gte=since)
    last: dict[int, dict[str, dt.date]] = {}
    for r in passed.order_by().values("officer_id", "session__skill").annotate(day=Max("session__held_on")):
        last.setdefault(r["officer_id"], {})[r["session__skill"]] = r["day"]
    return [TrainingRow(officer=o, last=last.get(o.pk, {})) for o in officers]
