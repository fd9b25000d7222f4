"""The demo province: deterministic for a seed, Gansu's real divisions, the personas the other suites
rely on, and (from the plan alone, without a database) the province-scale figures of DESIGN.md."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from stdnum.cn import uscc

from common.demo import DemoContext
from stations import demo
from stations.choices import OfficerKind, RegionLevel, Role, StationKind
from stations.models import Officer, Posting, Region, ServiceItem, Station, User

TODAY = dt.date(2026, 11, 29)


def ctx(scale: str = "tiny", seed: int = 1, today: dt.date = TODAY) -> DemoContext:
    return DemoContext(scale=scale, seed=seed, today=today, password="x")


def police_on(plan: demo.DemoPlan, day: dt.date) -> tuple[int, int]:
    """(police posted anywhere, police posted in stations) on ``day``, from the plan's history."""
    total = in_stations = 0
    for officer in plan.officers:
        if officer.kind != OfficerKind.POLICE:
            continue
        posting = demo.posted_on(officer, day)
        if posting is not None:
            total += 1
            in_stations += posting.station_code is not None
    return total, in_stations


# --- the plan, without a database ------------------------------------------------------------------


@pytest.mark.parametrize("scale", ["tiny", "small"])
def test_same_seed_same_plan(scale: str) -> None:
    first, second = demo.plan(ctx(scale)), demo.plan(ctx(scale))
    assert [s.code for s in first.stations] == [s.code for s in second.stations]
    assert [o.badge_number for o in first.officers] == [o.badge_number for o in second.officers]
    assert first == second


def test_another_seed_another_plan() -> None:
    first, other = demo.plan(ctx("small", 1)), demo.plan(ctx("small", 2))
    assert [s.name for s in first.stations] != [s.name for s in other.stations]
    assert [o.name for o in first.officers] != [o.name for o in other.officers]


def test_real_divisions() -> None:
    regions = demo.load_divisions()
    levels = Counter(r.level for r in regions)
    assert levels == {RegionLevel.PROVINCE: 1, RegionLevel.CITY: 14, RegionLevel.COUNTY: 86}
    names = {r.code: r.name for r in regions}
    assert names["620000"] == "甘肃省" and names["620100"] == "兰州市" and names["623000"] == "甘南藏族自治州"
    assert not [r for r in regions if r.parent_code == "620200"]  # 嘉峪关市 has no counties
    assert set(demo.load_centres()) == set(names)


def test_small_plan_covers_every_county_and_jiayuguan() -> None:
    plan = demo.plan(ctx("small"))
    units = {s.county_code for s in plan.stations}
    assert len(units) == 87 and "620200" in units
    per_unit = Counter(s.county_code for s in plan.stations)
    assert set(per_unit.values()) <= {2, 3, 4}
    for station in plan.stations:
        assert len(station.code) == 12 and station.code.startswith(station.county_code)
        assert station.name.endswith("派出所")
        assert 32.5 < station.latitude < 43 and 92 < station.longitude < 109  # in Gansu
    names = {r.code: r.name for r in plan.regions}
    in_counties = Counter(s.kind for s in plan.stations if names[s.county_code].endswith("县"))
    in_districts = Counter(s.kind for s in plan.stations if names[s.county_code].endswith("区"))
    assert in_counties[StationKind.RURAL] > 1.5 * in_counties[StationKind.URBAN]
    assert in_districts[StationKind.URBAN] > in_districts[StationKind.RURAL]
    force = Counter(o.current.station_code for o in plan.officers if o.is_active and o.current.station_code)
    assert 13 <= sum(force.values()) / len(plan.stations) <= 27


def test_province_plan_matches_the_reported_figures() -> None:
    """About 1,000 stations and 13,000 police; 48 % in stations, up 18 % on last year; 570 retrofits
    of rural stations; 502 escort officers; 69 service items; 13,000+ terminals."""
    plan = demo.plan(ctx("province"))
    assert len(plan.stations) == 1000
    now_total, now_in = police_on(plan, TODAY)
    then_total, then_in = police_on(plan, dt.date(2025, 11, 29))
    assert 12_500 <= now_total <= 13_500
    assert now_in / now_total == pytest.approx(0.4845, abs=0.002)
    assert now_in / then_in - 1 == pytest.approx(0.184, abs=0.003)
    assert len(plan.retrofits) == 570
    rural = {s.code for s in plan.stations if s.kind == StationKind.RURAL}
    assert {r.station_code for r in plan.retrofits} <= rural
    assert len({e.officer_badge for e in plan.escorts}) == 502
    assert all(uscc.is_valid(e.business_code) for e in plan.escorts)
    assert len(plan.service_items) == 69 and len({i.code for i in plan.service_items}) == 69
    assert sum(1 for o in plan.officers if o.terminal_number) >= 13_000


def test_postings_are_a_consistent_history() -> None:
    plan = demo.plan(ctx("small"))
    stations = {s.code: s for s in plan.stations}
    for officer in plan.officers:
        postings = officer.postings
        assert all(p.end is None or p.end >= p.start for p in postings)
        assert all(a.end is not None and a.end < b.start for a, b in zip(postings, postings[1:], strict=False))
        assert (postings[-1].end is None) == officer.is_active
        for p in postings:
            if p.station_code:
                assert p.region_code == stations[p.station_code].county_code


def test_leap_day() -> None:
    plan = demo.plan(ctx("tiny", today=dt.date(2028, 2, 29)))
    assert plan.stations


# --- the tiny demo loaded into the test database --------------------------------------------------------


db = pytest.mark.django_db


@db
def test_loaded_demo_is_the_plan_of_its_seed() -> None:
    from tests.conftest import DEMO_SEED

    plan = demo.plan(ctx("tiny", DEMO_SEED))
    assert list(Station.objects.order_by("code").values_list("code", flat=True)) == sorted(
        s.code for s in plan.stations
    )
    assert set(Officer.objects.filter(badge_number__in=[o.badge_number for o in plan.officers]).values_list(
        "badge_number", "name")) == {(o.badge_number, o.name) for o in plan.officers}
    assert Region.objects.filter(code__startswith="62").count() == 101
    assert ServiceItem.objects.count() >= 69


@db
def test_tiny_scale_shape() -> None:
    stations = Station.objects.filter(code__startswith="62")
    assert stations.count() == 6
    assert stations.values("county").distinct().count() == 4
    assert stations.values("county__parent").distinct().count() == 2


@db
def test_personas(
    officer: User, officer_b: User, station_head: User, county_staff: User, city_staff: User,
    province_admin: User, auditor: User, api_client_user: User,
) -> None:
    station = officer.home_station
    assert station is not None and station_head.home_station == station
    assert officer.officer is not None and officer.officer.station == station
    assert station_head.officer is not None and station_head.officer.station == station
    assert officer_b.home_station is not None and officer_b.officer.station == officer_b.home_station
    assert officer_b.home_station.county != station.county
    assert officer_b.home_station.county.parent != station.county.parent
    assert county_staff.home_region == station.county
    assert city_staff.home_region == station.county.parent
    assert api_client_user.home_region == station.county.parent
    province = Region.objects.get(code="620000")
    assert province_admin.home_region == auditor.home_region == province
    assert (officer.role, officer_b.role, station_head.role) == (Role.OFFICER, Role.OFFICER, Role.STATION_HEAD)
    assert (county_staff.role, city_staff.role, province_admin.role) == (
        Role.COUNTY_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF)
    assert (auditor.role, api_client_user.role) == (Role.AUDITOR, Role.API_CLIENT)


@db
def test_officers_current_posting_matches_their_open_posting() -> None:
    mismatched = [
        o.badge_number
        for o in Officer.objects.filter(is_active=True, badge_number__regex=r"^(\d{6}|FJ\d{6})$")
        if not Posting.objects.filter(officer=o, end__isnull=True, station=o.station, region=o.region).exists()
    ]
    assert mismatched == []


@db
def test_demo_users_have_the_demo_password(settings) -> None:  # type: ignore[no-untyped-def]
    for username in ("province_admin", "officer", "api_client"):
        assert User.objects.get(username=username).check_password(settings.DEMO_PASSWORD)
