"""Reads of the stations app. Every selector takes the user and applies jurisdiction first.

A unit (a :class:`Region` or a :class:`Station`) outside the user's jurisdiction raises
:class:`django.http.Http404` — the same as a unit that does not exist — which Django's views and DRF
both answer with 404. Every selector here runs a fixed number of queries, whatever the size of the
subtree: a region's subtree is one prefix match on ``Region.path`` (an indexed ``LIKE 'x%'``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.http import Http404

from stations.choices import FacilityKind, IdeaStatus, OfficerKind, StationKind
from stations.jurisdiction import scope
from stations.models import (
    EscortAssignment,
    Facility,
    HeatingRetrofit,
    Idea,
    Officer,
    Posting,
    Region,
    ServiceItem,
    Station,
    User,
)

PATH_SEGMENT = 7  # "620102/": a six-digit code and the separator


@dataclass(frozen=True)
class StrengthRow:
    """Police strength of one unit on a date, with the same date a year earlier."""

    unit_kind: str  # "region" or "station"
    unit_id: int
    code: str
    name: str
    police_total: int
    police_in_stations: int
    auxiliary_total: int
    auxiliary_in_stations: int
    last_year_police_total: int
    last_year_police_in_stations: int

    @property
    def share(self) -> float | None:
        """Share of the police force posted in stations (0–1), None when the unit has no police."""
        return self.police_in_stations / self.police_total if self.police_total else None

    @property
    def last_year_share(self) -> float | None:
        return self.last_year_police_in_stations / self.last_year_police_total if self.last_year_police_total else None

    @property
    def share_change_points(self) -> float | None:
        """Change of the share on last year, in percentage points."""
        if self.share is None or self.last_year_share is None:
            return None
        return (self.share - self.last_year_share) * 100

    @property
    def in_stations_change(self) -> float | None:
        """Relative change of the police in stations on last year (0.184 = up 18.4 %)."""
        if not self.last_year_police_in_stations:
            return None
        return self.police_in_stations / self.last_year_police_in_stations - 1


@dataclass(frozen=True)
class StrengthReport:
    unit: Region | Station | None
    on: dt.date
    total: StrengthRow
    rows: list[StrengthRow]  # the unit's children: cities, counties or stations (and its own bureau)


COUNT_FIELDS = (
    "police_total", "police_in_stations", "auxiliary_total", "auxiliary_in_stations",
    "last_year_police_total", "last_year_police_in_stations",
)


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def resolve_unit(*, user: User, unit: Region | Station | None) -> Region | Station:
    """``unit`` (default: the user's home unit) if it lies in the user's jurisdiction, else Http404.

    One query: the unit is looked up again through the jurisdiction filter. A station-bound user
    may only ask for their own station, even if a region ever became visible to them: figures
    aggregated over a region are never theirs to see."""
    if unit is None:
        unit = getattr(user, "home_unit", None)
        if unit is None:
            raise Http404("no unit")
    home_station_id = getattr(user, "home_station_id", None)
    if home_station_id is not None and not (isinstance(unit, Station) and unit.pk == home_station_id):
        raise Http404("unit outside the jurisdiction")
    model = Station if isinstance(unit, Station) else Region
    if not scope(model.objects.filter(pk=unit.pk), user).exists():
        raise Http404("unit outside the jurisdiction")
    return unit


def _open_on(day: dt.date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def _strength_counts(on: dt.date) -> dict[str, Count]:
    """Conditional counts over postings: open on ``on`` and on the same day a year earlier."""
    now, ago = _open_on(on), _open_on(year_before(on))
    police = Q(officer__kind=OfficerKind.POLICE)
    auxiliary = Q(officer__kind=OfficerKind.AUXILIARY)
    in_station = Q(station__isnull=False)
    return {
        "police_total": Count("id", filter=police & now),
        "police_in_stations": Count("id", filter=police & now & in_station),
        "auxiliary_total": Count("id", filter=auxiliary & now),
        "auxiliary_in_stations": Count("id", filter=auxiliary & now & in_station),
        "last_year_police_total": Count("id", filter=police & ago),
        "last_year_police_in_stations": Count("id", filter=police & ago & in_station),
    }


def _postings_near(on: dt.date) -> QuerySet[Posting]:
    """Postings open on ``on`` or on the same day a year earlier (or in between)."""
    return Posting.objects.filter(Q(start__lte=on) & (Q(end__isnull=True) | Q(end__gte=year_before(on))))


def _row(kind: str, obj: Region | Station, counts: dict[str, int] | None) -> StrengthRow:
    values = {name: (counts or {}).get(name) or 0 for name in COUNT_FIELDS}
    return StrengthRow(unit_kind=kind, unit_id=obj.pk, code=obj.code, name=obj.name, **values)


def police_strength(*, user: User, unit: Region | Station | None, on: dt.date) -> StrengthReport:
    """Police strength of ``unit`` (default: the user's home unit) and of each of its children,
    on ``on`` and a year earlier, in a number of queries that does not grow with the units.

    Rows: a province or city → its child regions, any stations hanging directly on it (a city without
    counties, such as 嘉峪关市), and a row for its own bureau (officers posted at the region itself);
    a county → its stations and its bureau; a station → the station. Counts come from the postings
    open on the day (history, not the officers' current fields), police and auxiliaries apart.

    Raises :class:`~django.http.Http404` for a unit outside the user's jurisdiction (or none at all).
    Queries: 4 for a region (scope check, child regions, stations, one grouped aggregate), 2 for a
    station.
    """
    unit = resolve_unit(user=user, unit=unit)
    counts = _strength_counts(on)
    if isinstance(unit, Station):
        totals = _postings_near(on).filter(station=unit).aggregate(**counts)
        row = _row("station", unit, totals)
        return StrengthReport(unit=unit, on=on, total=row, rows=[row])

    children = list(Region.objects.filter(parent=unit).order_by("code"))
    stations = list(Station.objects.filter(county=unit).order_by("code"))
    depth = len(unit.path) + PATH_SEGMENT
    grouped = (
        _postings_near(on)
        .filter(region__path__startswith=unit.path)
        .annotate(
            child=Substr("region__path", 1, depth),
            own_station=Case(
                When(region_id=unit.pk, then=F("station_id")), default=Value(None), output_field=BigIntegerField()
            ),
        )
        .values("child", "own_station")
        .annotate(**counts)
        .order_by()
    )
    by_child: dict[str, dict[str, int]] = {}
    by_station: dict[int, dict[str, int]] = {}
    bureau: dict[str, int] = {}
    for group in grouped:
        if group["child"] == unit.path:
            target = bureau if group["own_station"] is None else by_station.setdefault(group["own_station"], {})
        else:
            target = by_child.setdefault(group["child"], {})
        for name in COUNT_FIELDS:
            target[name] = target.get(name, 0) + group[name]
    rows = [_row("region", child, by_child.get(child.path)) for child in children]
    rows += [_row("station", station, by_station.get(station.pk)) for station in stations]
    rows.append(_row("region", unit, bureau))
    total = StrengthRow(
        unit_kind="region", unit_id=unit.pk, code=unit.code, name=unit.name,
        **{name: sum(getattr(row, name) for row in rows) for name in COUNT_FIELDS},
    )
    return StrengthReport(unit=unit, on=on, total=total, rows=rows)


# --- unit summaries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSummary:
    """What a station or region page shows about the unit today (active officers only).

    ``facilities``: facility kind → number of stations that have it (0/1 for a station).
    ``stations_by_kind``: urban/rural/other → active stations. ``terminals``: mobile police terminals
    issued. ``escort_officers``: officers with an escort assignment open today. ``ideas_by_status``:
    status → ideas submitted from the unit."""

    unit: Region | Station
    stations: int
    stations_by_kind: dict[str, int]
    police: int
    auxiliary: int
    police_in_stations: int
    police_terminals: int
    auxiliary_terminals: int
    facilities: dict[str, int]
    retrofits: int
    escort_officers: int
    ideas_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def terminals(self) -> int:
        return self.police_terminals + self.auxiliary_terminals

    @property
    def officers(self) -> int:
        return self.police + self.auxiliary


def _unit_filter(unit: Region | Station, *, station: str, region: str | None = None) -> Q:
    """Rows of ``unit``: through the lookup to a station, or (for a region) to a region when given,
    else to the station's county."""
    if isinstance(unit, Station):
        return Q(**{station: unit.pk})
    if region is not None:
        return Q(**{f"{region}__path__startswith": unit.path})
    return Q(**{f"{station}__county__path__startswith": unit.path})


def unit_summary(*, user: User, unit: Region | Station | None, on: dt.date) -> UnitSummary:
    """Counts for a station or region page: stations, officers by kind, terminals, facilities,
    retrofits, escort officers and ideas. Seven queries whatever the size of the unit; Http404 for a
    unit outside the jurisdiction."""
    unit = resolve_unit(user=user, unit=unit)
    if isinstance(unit, Station):
        stations_q = Q(pk=unit.pk)
    else:
        stations_q = Q(county__path__startswith=unit.path)
    station_counts = Station.objects.filter(stations_q, is_active=True).aggregate(
        n_total=Count("id"), **{f"n_{kind}": Count("id", filter=Q(kind=kind)) for kind in StationKind.values}
    )
    police, auxiliary = Q(kind=OfficerKind.POLICE), Q(kind=OfficerKind.AUXILIARY)
    has_terminal = ~Q(terminal_number="")
    force = Officer.objects.filter(_unit_filter(unit, station="station", region="region"), is_active=True).aggregate(
        n_police=Count("id", filter=police),
        n_auxiliary=Count("id", filter=auxiliary),
        n_police_in_stations=Count("id", filter=police & Q(station__isnull=False)),
        n_police_terminals=Count("id", filter=police & has_terminal),
        n_auxiliary_terminals=Count("id", filter=auxiliary & has_terminal),
    )
    facility_counts = dict(
        Facility.objects.filter(_unit_filter(unit, station="station"))
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    retrofits = HeatingRetrofit.objects.filter(_unit_filter(unit, station="station")).count()
    escorts = (
        EscortAssignment.objects.filter(_unit_filter(unit, station="officer__station", region="officer__region"))
        .filter(_open_on(on))
        .aggregate(n=Count("officer", distinct=True))["n"]
    )
    idea_counts = dict(
        Idea.objects.filter(_unit_filter(unit, station="station", region="region"))
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return UnitSummary(
        unit=unit,
        stations=station_counts["n_total"],
        stations_by_kind={kind: station_counts[f"n_{kind}"] for kind in StationKind.values},
        police=force["n_police"],
        auxiliary=force["n_auxiliary"],
        police_in_stations=force["n_police_in_stations"],
        police_terminals=force["n_police_terminals"],
        auxiliary_terminals=force["n_auxiliary_terminals"],
        facilities={kind: facility_counts.get(kind, 0) for kind in FacilityKind.values},
        retrofits=retrofits,
        escort_officers=escorts,
        ideas_by_status={status: idea_counts.get(status, 0) for status in IdeaStatus.values},
    )


@dataclass(frozen=True)
class ServiceCatalogueSummary:
    total: int
    online: int
    self_service: int
    online_and_self_service: int
    by_category: dict[str, int]


def service_catalogue_summary(*, user: User) -> ServiceCatalogueSummary:
    """The province's public-service catalogue (items offered): how many online, self-service.

    The catalogue is province-wide, so every signed-in user sees all of it. Two queries."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("not signed in")
    offered = ServiceItem.objects.filter(is_active=True)
    counts = offered.aggregate(
        n_total=Count("id"),
        n_online=Count("id", filter=Q(online=True)),
        n_self_service=Count("id", filter=Q(self_service=True)),
        n_both=Count("id", filter=Q(online=True, self_service=True)),
    )
    by_category = dict(offered.values_list("category").annotate(n=Count("id")).order_by("category"))
    return ServiceCatalogueSummary(
        total=counts["n_total"], online=counts["n_online"], self_service=counts["n_self_service"],
        online_and_self_service=counts["n_both"], by_category=by_category,
    )


def service_item_list(*, user: User) -> QuerySet[ServiceItem]:
    """The catalogue items offered, for any signed-in user."""
    if not getattr(user, "is_authenticated", False):
        return ServiceItem.objects.none()
    return ServiceItem.objects.filter(is_active=True).order_by("code")


def user_list(*, user: Any) -> QuerySet[User]:
    """Portal users whose home unit lies in ``user``'s jurisdiction (for the admin).

    A station-bound user sees the users of their station; a region-bound user those homed anywhere in
    the region's subtree. Users without a home unit (superusers) are never listed to anyone scoped."""
    users = User.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return users.none()
    if user.home_station_id is not None:
        return users.filter(home_station_id=user.home_station_id)
    region = user.home_region
    if region is None:
        return users.none()
    return users.filter(
        Q(home_region__path__startswith=region.path) | Q(home_station__county__path__startswith=region.path)
    )

