"""Police strength and the unit summaries: arithmetic on a hand-made tree with known numbers, the
drill-down levels, jurisdiction, and query counts that do not grow with the number of units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from stations import selectors
from stations.choices import FacilityKind, IdeaStatus, OfficerKind, Role, StationKind
from stations.models import EscortAssignment, Facility, HeatingRetrofit, Idea, Region, Station, User
from tests.stations import factories as f

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 15)
AGO = dt.date(2025, 6, 15)
LONG_AGO = dt.date(2015, 1, 1)


@dataclass
class Tree:
    province: Region
    city_a: Region
    county_a1: Region
    county_a2: Region  # no officers at all
    city_b: Region
    county_b1: Region  # its only officer arrived during the year: nobody there a year ago
    city_c: Region  # a city without counties: its station hangs on the city itself
    s1: Station
    s2: Station
    s3: Station
    s4: Station


@pytest.fixture
def tree() -> Tree:
    province = f.region("630000", "Test province")
    city_a = f.region("630100", "City A", province)
    county_a1 = f.region("630102", "County A1", city_a)
    county_a2 = f.region("630103", "County A2", city_a)
    city_b = f.region("630200", "City B", province)
    county_b1 = f.region("630202", "County B1", city_b)
    city_c = f.region("630300", "City C", province)
    s1 = f.station(county_a1, 1)
    s2 = f.station(county_a1, 2, StationKind.RURAL)
    s3 = f.station(county_b1, 1, StationKind.RURAL)
    s4 = f.station(city_c, 1)
    # Station S1: two police all along, one moved down from the county bureau in January, one auxiliary.
    f.officer((s1, LONG_AGO, None))
    f.officer((s1, LONG_AGO, None))
    f.officer((county_a1, LONG_AGO, dt.date(2026, 1, 9)), (s1, dt.date(2026, 1, 10), None))
    f.officer((s1, LONG_AGO, None), kind=OfficerKind.AUXILIARY)
    # Station S2: a recruit who joined in March.
    f.officer((s2, dt.date(2026, 3, 1), None))
    # County A1's bureau: one police officer, one who retired at the end of 2025, one auxiliary.
    f.officer((county_a1, LONG_AGO, None))
    f.officer((county_a1, LONG_AGO, dt.date(2025, 12, 31)), active=False)
    f.officer((county_a1, LONG_AGO, None), kind=OfficerKind.AUXILIARY)
    # City A's bureau.
    f.officer((city_a, LONG_AGO, None))
    # Station S3: moved down from City B's bureau in May.
    f.officer((city_b, LONG_AGO, dt.date(2026, 4, 30)), (s3, dt.date(2026, 5, 1), None))
    # City C's station, and the province's own department.
    f.officer((s4, LONG_AGO, None))
    f.officer((province, LONG_AGO, None))
    # Postings that do not count: ended before the year-ago day, or starting after ``ON``.
    f.officer((s1, LONG_AGO, dt.date(2025, 6, 14)), active=False)
    f.officer((s1, dt.date(2026, 6, 16), None))
    return Tree(province, city_a, county_a1, county_a2, city_b, county_b1, city_c, s1, s2, s3, s4)


def figures(row: selectors.StrengthRow) -> tuple[int, int, int, int, int, int]:
    return (
        row.police_total, row.police_in_stations, row.auxiliary_total, row.auxiliary_in_stations,
        row.last_year_police_total, row.last_year_police_in_stations,
    )


def rows_by_name(report: selectors.StrengthReport) -> dict[str, selectors.StrengthRow]:
    return {f"{row.unit_kind}:{row.name}": row for row in report.rows}


@pytest.fixture
def province_user(tree: Tree) -> User:
    return f.user("t_province", tree.province, Role.PROVINCE_STAFF)


def test_province_rows_are_its_cities_and_its_own_bureau(tree: Tree, province_user: User) -> None:
    report = selectors.police_strength(user=province_user, unit=tree.province, on=ON)
    rows = rows_by_name(report)
    assert list(rows) == ["region:City A", "region:City B", "region:City C", "region:Test province"]
    assert figures(rows["region:City A"]) == (6, 4, 2, 1, 6, 2)
    assert figures(rows["region:City B"]) == (1, 1, 0, 0, 1, 0)
    assert figures(rows["region:City C"]) == (1, 1, 0, 0, 1, 1)
    assert figures(rows["region:Test province"]) == (1, 0, 0, 0, 1, 0)  # the department itself
    total = report.total
    assert figures(total) == (9, 6, 2, 1, 9, 3)
    assert total.share == pytest.approx(6 / 9)
    assert total.last_year_share == pytest.approx(3 / 9)
    assert total.share_change_points == pytest.approx(100 * (6 / 9 - 3 / 9))
    assert total.in_stations_change == pytest.approx(1.0)  # 3 → 6: up 100 %


def test_city_rows_are_its_counties_and_its_bureau_and_a_county_without_police(tree: Tree, province_user: User) -> None:
    report = selectors.police_strength(user=province_user, unit=tree.city_a, on=ON)
    rows = rows_by_name(report)
    assert list(rows) == ["region:County A1", "region:County A2", "region:City A"]
    a1, a2, bureau = rows["region:County A1"], rows["region:County A2"], rows["region:City A"]
    assert figures(a1) == (5, 4, 2, 1, 5, 2)
    assert (a1.share, a1.last_year_share) == (pytest.approx(0.8), pytest.approx(0.4))
    assert a1.share_change_points == pytest.approx(40.0)
    assert a1.in_stations_change == pytest.approx(1.0)
    assert figures(a2) == (0, 0, 0, 0, 0, 0)
    assert (a2.share, a2.last_year_share, a2.share_change_points, a2.in_stations_change) == (None, None, None, None)
    assert figures(bureau) == (1, 0, 0, 0, 1, 0)
    assert figures(report.total) == (6, 4, 2, 1, 6, 2)


def test_county_rows_are_its_stations_and_its_bureau(tree: Tree, province_user: User) -> None:
    report = selectors.police_strength(user=province_user, unit=tree.county_a1, on=ON)
    rows = report.rows
    assert [(r.unit_kind, r.unit_id) for r in rows] == [
        ("station", tree.s1.pk), ("station", tree.s2.pk), ("region", tree.county_a1.pk),
    ]
    s1, s2, bureau = rows
    assert figures(s1) == (3, 3, 1, 1, 2, 2)
    assert figures(s2) == (1, 1, 0, 0, 0, 0)  # the recruit was not there a year ago
    assert s2.in_stations_change is None and s2.last_year_share is None
    assert figures(bureau) == (1, 0, 1, 0, 3, 0)  # the mover and the retiree were here a year ago
    assert bureau.share == 0.0
    assert s1.code == tree.s1.code and bureau.code == tree.county_a1.code


def test_a_station_that_had_nobody_a_year_ago(tree: Tree, province_user: User) -> None:
    county = selectors.police_strength(user=province_user, unit=tree.county_b1, on=ON)
    assert figures(county.total) == (1, 1, 0, 0, 0, 0)
    assert county.total.last_year_share is None and county.total.in_stations_change is None
    city = selectors.police_strength(user=province_user, unit=tree.city_b, on=ON)
    assert figures(city.total) == (1, 1, 0, 0, 1, 0)
    assert city.total.share_change_points == pytest.approx(100.0)
    assert city.total.in_stations_change is None  # from zero: no ratio


def test_a_city_without_counties_lists_its_stations(tree: Tree, province_user: User) -> None:
    report = selectors.police_strength(user=province_user, unit=tree.city_c, on=ON)
    assert [(r.unit_kind, r.unit_id) for r in report.rows] == [("station", tree.s4.pk), ("region", tree.city_c.pk)]
    assert figures(report.rows[0]) == (1, 1, 0, 0, 1, 1)


def test_a_station_is_its_own_single_row(tree: Tree, province_user: User) -> None:
    report = selectors.police_strength(user=province_user, unit=tree.s1, on=ON)
    assert report.rows == [report.total]
    assert figures(report.total) == (3, 3, 1, 1, 2, 2)


def test_the_day_matters(tree: Tree, province_user: User) -> None:
    """On the year-ago day the mover was still in the bureau, the recruit not yet there, and the
    officer who left S1 on 14 June 2025 is counted only for the year before."""
    report = selectors.police_strength(user=province_user, unit=tree.county_a1, on=AGO)
    assert figures(report.total) == (5, 2, 2, 1, 6, 3)


def test_default_unit_is_the_users_home(tree: Tree) -> None:
    county_user = f.user("t_county", tree.county_a1)
    assert selectors.police_strength(user=county_user, unit=None, on=ON).unit == tree.county_a1
    station_user = f.user("t_station", tree.s1, Role.STATION_HEAD)
    report = selectors.police_strength(user=station_user, unit=None, on=ON)
    assert report.unit == tree.s1 and figures(report.total) == (3, 3, 1, 1, 2, 2)


@pytest.mark.parametrize("target", ["county_a2", "city_a", "province", "s3", "county_b1"])
def test_county_staff_cannot_ask_for_units_outside_their_county(tree: Tree, target: str) -> None:
    county_user = f.user("t_county", tree.county_a1)
    with pytest.raises(Http404):
        selectors.police_strength(user=county_user, unit=getattr(tree, target), on=ON)


def test_station_user_sees_only_their_station(tree: Tree) -> None:
    station_user = f.user("t_station", tree.s1, Role.OFFICER)
    for unit in (tree.county_a1, tree.s2, tree.province):
        with pytest.raises(Http404):
            selectors.police_strength(user=station_user, unit=unit, on=ON)


def test_a_disabled_user_sees_nothing(tree: Tree) -> None:
    county_user = f.user("t_county", tree.county_a1, is_active=False)
    with pytest.raises(Http404):
        selectors.police_strength(user=county_user, unit=tree.county_a1, on=ON)


def test_demo_county_staff_cannot_ask_for_officer_bs_county(county_staff: User, officer_b: User) -> None:
    today = dt.date.today()
    with pytest.raises(Http404):
        selectors.police_strength(user=county_staff, unit=officer_b.home_station.county, on=today)
    with pytest.raises(Http404):
        selectors.police_strength(user=county_staff, unit=officer_b.home_station, on=today)
    own = selectors.police_strength(user=county_staff, unit=None, on=today)
    assert own.unit == county_staff.home_region


def test_demo_province_share_is_near_the_reported_figure(province_admin: User) -> None:
    report = selectors.police_strength(user=province_admin, unit=None, on=dt.date.today())
    assert len([r for r in report.rows if r.unit_kind == "region"]) == 15  # 14 cities and the department
    assert report.total.police_total > 0 and 0.3 < report.total.share < 0.7


# --- query counts -----------------------------------------------------------------------------------


def _county_with_stations(n: int) -> tuple[Region, Region, Region]:
    province = f.region("640000")
    city = f.region("640100", parent=province)
    county = f.region("640102", parent=city)
    for i in range(1, n + 1):
        s = f.station(county, i)
        f.officer((s, LONG_AGO, None))
        f.officer((county, LONG_AGO, dt.date(2026, 1, 1)), (s, dt.date(2026, 1, 2), None))
        f.officer((s, LONG_AGO, None), kind=OfficerKind.AUXILIARY)
        Facility.objects.create(station=s, kind=FacilityKind.CANTEEN)
    for i in range(n):
        f.region(f"6401{10 + i:02d}", parent=city)  # more counties in the city, too
    return province, city, county


def _queries(func, **kwargs) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        func(**kwargs)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("stations", [3, 30])
def test_strength_query_count_is_pinned(stations: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    province, city, county = _county_with_stations(stations)
    user = f.user("t_q", province, Role.PROVINCE_STAFF)
    for unit in (province, city, county):
        with django_assert_num_queries(4):
            report = selectors.police_strength(user=user, unit=unit, on=ON)
        assert report.total.police_total == 2 * stations
    county_report = selectors.police_strength(user=user, unit=county, on=ON)
    assert len(county_report.rows) == stations + 1
    assert county_report.total.last_year_police_in_stations == stations
    station = Station.objects.filter(county=county).first()
    with django_assert_num_queries(2):
        selectors.police_strength(user=user, unit=station, on=ON)


@pytest.mark.parametrize("stations", [3, 30])
def test_unit_summary_query_count_is_pinned(stations: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    province, _city, county = _county_with_stations(stations)
    user = f.user("t_q", province, Role.PROVINCE_STAFF)
    for unit in (province, county):
        with django_assert_num_queries(7):
            summary = selectors.unit_summary(user=user, unit=unit, on=ON)
        assert summary.stations == stations
        assert summary.facilities[FacilityKind.CANTEEN] == stations


# --- summaries ----------------------------------------------------------------------------------------


def test_unit_summary_counts(tree: Tree, province_user: User) -> None:
    s1_police = tree.s1.officers.filter(kind=OfficerKind.POLICE, is_active=True).order_by("pk")
    first, second = s1_police[0], s1_police[1]
    first.terminal_number = "T-1"
    first.save()
    Facility.objects.create(station=tree.s1, kind=FacilityKind.GYM)
    Facility.objects.create(station=tree.s2, kind=FacilityKind.GYM)
    Facility.objects.create(station=tree.s1, kind=FacilityKind.ROOM_AND_BED)
    HeatingRetrofit.objects.create(station=tree.s2, completed_on=ON, funded_by="province")
    EscortAssignment.objects.create(officer=first, business_name="A", start=dt.date(2026, 1, 1))
    EscortAssignment.objects.create(officer=first, business_name="B", start=dt.date(2026, 2, 1))
    EscortAssignment.objects.create(officer=second, business_name="C", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
    Idea.objects.create(title="x", body="y", officer=second, station=tree.s1, region=tree.county_a1, submitted_on=ON)

    county = selectors.unit_summary(user=province_user, unit=tree.county_a1, on=ON)
    assert county.stations == 2 and county.stations_by_kind == {"urban": 1, "rural": 1, "other": 0}
    # Active officers today, by their current posting: S1 has 3 police (+1 not yet started) and 1 auxiliary.
    assert (county.police, county.auxiliary) == (6, 2)
    assert county.police_in_stations == 5
    assert county.terminals == 1
    assert county.facilities[FacilityKind.GYM] == 2 and county.facilities[FacilityKind.CANTEEN] == 0
    assert county.retrofits == 1
    assert county.escort_officers == 1  # one officer with two open assignments; one ended
    assert county.ideas_by_status[IdeaStatus.SUBMITTED] == 1

    station = selectors.unit_summary(user=province_user, unit=tree.s2, on=ON)
    assert (station.stations, station.police, station.retrofits, station.escort_officers) == (1, 1, 1, 0)
    assert station.facilities[FacilityKind.ROOM_AND_BED] == 0


def test_unit_summary_applies_jurisdiction(tree: Tree) -> None:
    station_user = f.user("t_station", tree.s1, Role.OFFICER)
    with pytest.raises(Http404):
        selectors.unit_summary(user=station_user, unit=tree.s2, on=ON)


def test_service_catalogue_summary(officer: User) -> None:
    summary = selectors.service_catalogue_summary(user=officer)
    assert summary.total == 69
    assert 0 < summary.online <= 69 and 0 < summary.self_service <= summary.total
    assert summary.online_and_self_service <= min(summary.online, summary.self_service)
    assert sum(summary.by_category.values()) == 69


def test_user_list_is_scoped(county_staff: User, officer: User, officer_b: User, province_admin: User) -> None:
    visible = set(selectors.user_list(user=county_staff).values_list("username", flat=True))
    assert {"county_staff", "officer", "station_head"} <= visible
    assert not {"officer_b", "province_admin", "city_staff"} & visible
    assert set(selectors.user_list(user=officer).values_list("username", flat=True)) == {"officer", "station_head"}
    assert "officer_b" in set(selectors.user_list(user=province_admin).values_list("username", flat=True))
