"""Reads of community policing. Every selector takes the user and applies jurisdiction first; the
counts and compliance run in a fixed number of queries however many units there are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from beats import rules
from beats.choices import ALL_EIGHT, FIRST_FOUR, AreaKind, CheckInFlag
from beats.models import (
    Beat,
    BeatAssignment,
    CheckIn,
    Community,
    EightNosStatus,
    HouseholdHead,
    PoliceRoom,
)
from beats.models.eightnos import status_field
from beats.services import current_beat, policy_in_force
from stations.jurisdiction import scope
from stations.models import Officer, Region, Station, User

# --- Counts by kind and unit, rolled up station → county → city → province ----------------------------


@dataclass
class UnitCounts:
    """Community-policing counts of one unit (a region's subtree or a station)."""

    unit_kind: str  # "region" or "station"
    unit_id: int
    code: str
    name: str
    beats: int = 0
    beats_staffed: int = 0
    beats_full_time: int = 0
    rooms: int = 0
    rooms_urban: int = 0
    rooms_rural: int = 0
    rooms_named: int = 0
    communities: int = 0
    all_eight: int = 0
    first_four: int = 0
    certified: int = 0
    heads_active: int = 0

    def add(self, other: UnitCounts) -> None:
        for f in fields(self):
            if f.type == "int" and f.name != "unit_id":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class CountsReport:
    unit: Region | Station | None
    year: int
    total: UnitCounts
    rows: list[UnitCounts] = field(default_factory=list)  # the unit's children (regions, then stations)


_ALL_EIGHT_Q = Q(**{status_field(item): True for item in ALL_EIGHT})
_FIRST_FOUR_Q = Q(**{status_field(item): True for item in FIRST_FOUR})


# (queryset, lookup from the model to its station, aggregates) for each family of counts.
def _families(year: int) -> list[tuple[QuerySet[Any], str, dict[str, Any]]]:
    return [
        (Beat.objects.all(), "station", {
            "beats": Count("id"),
            "beats_staffed": Count("id", filter=Q(officer__isnull=False)),
            "beats_full_time": Count("id", filter=Q(officer__isnull=False, officer_full_time=True)),
        }),
        (PoliceRoom.objects.filter(is_active=True), "station", {
            "rooms": Count("id"),
            "rooms_urban": Count("id", filter=Q(kind=AreaKind.URBAN)),
            "rooms_rural": Count("id", filter=Q(kind=AreaKind.RURAL)),
            "rooms_named": Count("id", filter=Q(named_after__isnull=False)),
        }),
        (Community.objects.all(), "station", {"communities": Count("id")}),
        (EightNosStatus.objects.filter(year=year), "community__station", {
            "all_eight": Count("id", filter=_ALL_EIGHT_Q),
            "first_four": Count("id", filter=_FIRST_FOUR_Q),
            "certified": Count("id", filter=Q(certified_on__isnull=False)),
        }),
        (HouseholdHead.objects.filter(is_active=True), "station", {"heads_active": Count("id")}),
    ]


def _accumulate(target: UnitCounts | None, row: dict[str, Any], aggregates: dict[str, Any]) -> None:
    if target is None:
        return  # a station directly under the unit, in the grouping by child region: counted apart
    for name in aggregates:
        setattr(target, name, getattr(target, name) + (row[name] or 0))


def community_policing_counts(*, user: User, unit: Region | Station | None, year: int) -> CountsReport:
    """Beats, rooms (urban / rural / named after an officer), communities holding all eight nos and
    the first four, and active household heads of ``unit`` (default: the user's home unit) and of
    each of its children: its child regions and the stations directly under it.

    One grouped query per family of counts: rows are grouped on the prefix of their station's
    region path one level below ``unit`` (or on the station, for stations directly under it)."""
    unit = unit if unit is not None else user.home_unit
    if unit is None:
        return CountsReport(unit=None, year=year, total=UnitCounts("region", 0, "", ""))
    if isinstance(unit, Station):
        total = UnitCounts("station", unit.pk, unit.code, unit.name)
        for queryset, lookup, aggregates in _families(year):
            values = scope(queryset, user).filter(**{lookup: unit}).aggregate(**aggregates)
            for name, value in values.items():
                setattr(total, name, value or 0)
        return CountsReport(unit=unit, year=year, total=total)

    child_regions = list(Region.objects.for_user(user).filter(parent=unit).order_by("code"))
    direct_stations = list(Station.objects.for_user(user).filter(county=unit).order_by("code"))
    by_path = {r.path: UnitCounts("region", r.pk, r.code, r.name) for r in child_regions}
    by_station = {s.pk: UnitCounts("station", s.pk, s.code, s.name) for s in direct_stations}
    prefix_len = len(unit.path) + 7  # one more "NNNNNN/" segment
    for queryset, lookup, aggregates in _families(year):
        scoped = scope(queryset, user)
        if by_path:
            grouped = (
                scoped.filter(**{f"{lookup}__county__path__startswith": unit.path})
                .annotate(_prefix=Substr(f"{lookup}__county__path", 1, prefix_len))
                .values("_prefix")
                .annotate(**aggregates)
            )
            for row in grouped:
                _accumulate(by_path.get(row["_prefix"]), row, aggregates)
        if by_station:
            station_key = f"{lookup}_id" if lookup == "station" else f"{lookup}__id"
            for row in scoped.filter(**{f"{lookup}__county": unit}).values(station_key).annotate(**aggregates):
                _accumulate(by_station.get(row[station_key]), row, aggregates)
    total = UnitCounts("region", unit.pk, unit.code, unit.name)
    rows = [*by_path.values(), *by_station.values()]
    for row in rows:
        total.add(row)
    return CountsReport(unit=unit, year=year, total=total, rows=rows)


# --- Compliance -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    officer_id: int
    officer_name: str
    badge_number: str
    station_id: int
    station_name: str
    county_path: str
    beat_id: int | None
    beat_name: str
    days_checked: int
    days_required: int

    @property
    def met(self) -> bool:
        return self.days_checked >= self.days_required

    @property
    def ratio(self) -> float | None:
        return rules.Compliance(self.days_checked, self.days_required).ratio


def _compliance_rows(
    assignments: QuerySet[BeatAssignment], check_ins: QuerySet[CheckIn], *, month: dt.date
) -> list[ComplianceRow]:
    month = rules.month_start(month)
    last = rules.month_end(month)
    per_month = policy_in_force(month).days_required
    overlapping = (
        assignments.filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=month))
        .select_related("officer", "beat__station__county")
        .order_by("officer_id", "start")
    )
    required: dict[int, int] = defaultdict(int)
    latest: dict[int, BeatAssignment] = {}
    for assignment in overlapping:
        required[assignment.officer_id] += rules.days_required(
            per_month=per_month, month=month, assigned_from=assignment.start, assigned_until=assignment.end
        )
        latest[assignment.officer_id] = assignment  # ordered by start: the last one wins
    days: dict[int, int] = {}
    if latest:
        days = dict(
            check_ins.filter(day__range=(month, last), counts=True)
            .values("officer_id")
            .annotate(days=Count("day", distinct=True))
            .values_list("officer_id", "days")
        )
    rows = []
    for officer_id, assignment in latest.items():
        station = assignment.beat.station
        rows.append(ComplianceRow(
            officer_id=officer_id,
            officer_name=assignment.officer.name,
            badge_number=assignment.officer.badge_number,
            station_id=station.pk,
            station_name=station.name,
            county_path=station.county.path,
            beat_id=assignment.beat_id,
            beat_name=assignment.beat.name,
            days_checked=days.get(officer_id, 0),
            days_required=min(required[officer_id], rules.days_in_month(month)),
        ))
    rows.sort(key=lambda r: (r.station_name, r.beat_name, r.officer_name))
    return rows


def compliance_rows(*, user: User, month: dt.date, station: Station | None = None) -> list[ComplianceRow]:
    """Each dedicated officer's check-in compliance for ``month`` in the user's jurisdiction (or at
    one station of it): distinct days with a counting check-in against the days required."""
    assignments = BeatAssignment.objects.for_user(user)
    check_ins = CheckIn.objects.for_user(user)
    if station is not None:
        assignments = assignments.filter(beat__station=station)
        check_ins = check_ins.filter(station=station)
    return _compliance_rows(assignments, check_ins, month=month)


def compliance_rows_all(*, month: dt.date) -> list[ComplianceRow]:
    """Every officer's compliance in the province (for the nightly snapshot; no user scope)."""
    return _compliance_rows(BeatAssignment.objects.all(), CheckIn.objects.all(), month=month)


@dataclass
class ComplianceSummary:
    unit_kind: str
    unit_id: int
    name: str
    officers: int = 0
    met: int = 0
    days_checked: int = 0
    days_required: int = 0

    @property
    def share_met(self) -> float | None:
        return self.met / self.officers if self.officers else None


def compliance_by_unit(
    *, user: User, unit: Region, rows: Iterable[ComplianceRow]
) -> list[ComplianceSummary]:
    """Roll officers' compliance up to the children of ``unit`` (child regions, direct stations)."""
    regions = {r.path: ComplianceSummary("region", r.pk, r.name) for r in Region.objects.for_user(user).filter(parent=unit)}
    stations: dict[int, ComplianceSummary] = {}
    prefix_len = len(unit.path) + 7
    for row in rows:
        target = regions.get(row.county_path[:prefix_len])
        if target is None:
            target = stations.setdefault(row.station_id, ComplianceSummary("station", row.station_id, row.station_name))
        target.officers += 1
        target.met += int(row.met)
        target.days_checked += row.days_checked
        target.days_required += row.days_required
    return sorted(regions.values(), key=lambda s: s.name) + sorted(stations.values(), key=lambda s: s.name)


# --- The officer's own beat and the beat page ----------------------------------------------------------------


def my_beat(*, user: User) -> Beat | None:
    """The beat the signed-in user's officer is dedicated to now (within the user's jurisdiction)."""
    if getattr(user, "officer_id", None) is None:
        return None
    beat = current_beat(user.officer)
    if beat is None or not scope(Beat.objects.filter(pk=beat.pk), user).exists():
        return None
    return beat


def beat_check_ins(*, user: User, beat: Beat, since: dt.date, limit: int = 2000) -> list[dict[str, Any]]:
    """The beat's check-ins since a day, newest first, as plain values for the chart."""
    return list(
        CheckIn.objects.for_user(user)
        .filter(beat=beat, day__gte=since)
        .order_by("-at", "-id")
        .values("id", "at", "lat", "lon", "accuracy", "inside_beat", "flags", "counts", "officer__name")[:limit]
    )


def recent_check_ins(*, user: User, officer: Officer, limit: int = 10) -> list[CheckIn]:
    return list(CheckIn.objects.for_user(user).filter(officer=officer).select_related("beat").order_by("-at", "-id")[:limit])


def flag_labels() -> dict[str, str]:
    return {value: str(label) for value, label in CheckInFlag.choices}
