"""Counts by kind and unit rolled up station → county → city → province in a fixed number of
queries, eight-nos counts, and monthly compliance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from beats import rules, selectors, services
from beats.choices import ALL_EIGHT, FIRST_FOUR, AreaKind, EightNo
from beats.models import Beat, BeatAssignment, CheckIn, Community, EightNosStatus, HouseholdHead, PoliceRoom
from beats.models.eightnos import status_field
from stations.models import Region, Station, User

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
ALL_Q = Q(**{status_field(i): True for i in ALL_EIGHT})
FOUR_Q = Q(**{status_field(i): True for i in FIRST_FOUR})


def direct_counts(station_q: Q) -> dict[str, int]:
    """The same figures counted the plain way, one query each, for a set of stations."""
    stations = Station.objects.filter(station_q)
    rooms = PoliceRoom.objects.filter(station__in=stations, is_active=True)
    statuses = EightNosStatus.objects.filter(community__station__in=stations, year=YEAR)
    return {
        "beats": Beat.objects.filter(station__in=stations).count(),
        "beats_staffed": Beat.objects.filter(station__in=stations, officer__isnull=False).count(),
        "rooms": rooms.count(),
        "rooms_urban": rooms.filter(kind=AreaKind.URBAN).count(),
        "rooms_rural": rooms.filter(kind=AreaKind.RURAL).count(),
        "rooms_named": rooms.filter(named_after__isnull=False).count(),
        "communities": Community.objects.filter(station__in=stations).count(),
        "all_eight": statuses.filter(ALL_Q).count(),
        "first_four": statuses.filter(FOUR_Q).count(),
        "heads_active": HouseholdHead.objects.filter(station__in=stations, is_active=True).count(),
    }


def figures(counts: selectors.UnitCounts) -> dict[str, int]:
    return {key: getattr(counts, key) for key in direct_counts(Q(pk=None))}


def test_province_totals_and_city_rows_match_plain_counts(province_admin: User, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(13):
        report = selectors.community_policing_counts(user=province_admin, unit=None, year=YEAR)
    assert figures(report.total) == direct_counts(Q())
    assert report.total.beats > 0 and report.total.rooms > 0 and report.total.first_four > 0
    cities = {r.code: r for r in report.rows}
    assert set(cities) == set(Region.objects.filter(level="city").values_list("code", flat=True))
    for city in Region.objects.filter(level="city"):
        assert figures(cities[city.code]) == direct_counts(Q(county__path__startswith=city.path)), city.name


def test_drill_down_to_a_county_lists_its_stations(county_staff: User, officer: User) -> None:
    county = county_staff.home_region
    report = selectors.community_policing_counts(user=county_staff, unit=county, year=YEAR)
    rows = {r.unit_id: r for r in report.rows}
    assert all(r.unit_kind == "station" for r in report.rows)
    assert set(rows) == set(Station.objects.filter(county=county).values_list("pk", flat=True))
    station = officer.home_station
    assert figures(rows[station.pk]) == direct_counts(Q(pk=station.pk))
    assert figures(report.total) == direct_counts(Q(county=county))


def test_a_station_sees_its_own_counts(station_head: User) -> None:
    report = selectors.community_policing_counts(user=station_head, unit=None, year=YEAR)
    assert report.rows == []
    assert figures(report.total) == direct_counts(Q(pk=station_head.home_station_id))


def test_query_count_does_not_grow_with_the_units(
    province_admin: User, county_staff: User, django_assert_num_queries  # type: ignore[no-untyped-def]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as province:
        selectors.community_policing_counts(user=province_admin, unit=None, year=YEAR)
    # Add a station with beats, rooms and communities in another city: the count stays the same.
    county = Region.objects.filter(level="county").exclude(stations__isnull=False).first()
    assert county is not None
    station = Station.objects.create(code="620999520001", name="新所", county=county)
    beat = Beat.objects.create(code="X1", name="x", station=station)
    services.police_room_create(user=None, beat=beat, code="XR1", name="x")
    services.community_create(user=None, station=station, code="XC1", name="x", kind=AreaKind.URBAN, beat=beat, year=YEAR)
    with CaptureQueriesContext(connection) as more:
        report = selectors.community_policing_counts(user=province_admin, unit=None, year=YEAR)
    assert len(more) == len(province)
    assert report.total.beats == Beat.objects.count()


def test_counts_never_cross_the_jurisdiction(officer_b: User, officer: User) -> None:
    report = selectors.community_policing_counts(user=officer_b, unit=officer.home_station, year=YEAR)
    assert report.total.beats == 0 and report.total.rooms == 0 and report.total.heads_active == 0


def test_a_breach_of_the_first_four_moves_a_community_out_of_both_counts(station_head: User) -> None:
    before = selectors.community_policing_counts(user=station_head, unit=None, year=YEAR).total
    holding = (
        EightNosStatus.objects.filter(community__station=station_head.home_station, year=YEAR).filter(ALL_Q).first()
    )
    assert holding is not None, "the tiny demo has a community holding all eight at the officer's station"
    services.eight_nos_breach_record(
        user=station_head, community=holding.community, item=EightNo.GANGS, occurred_on=timezone.localdate(),
        description="涉恶团伙",
    )
    after = selectors.community_policing_counts(user=station_head, unit=None, year=YEAR).total
    assert (after.all_eight, after.first_four) == (before.all_eight - 1, before.first_four - 1)

    # Breaking one of the last four leaves the first four.
    holding = EightNosStatus.objects.filter(community__station=station_head.home_station, year=YEAR).filter(ALL_Q).first()
    if holding is not None:
        services.eight_nos_breach_record(
            user=station_head, community=holding.community, item=EightNo.CULTS, occurred_on=timezone.localdate(),
            description="x",
        )
        last = selectors.community_policing_counts(user=station_head, unit=None, year=YEAR).total
        assert (last.all_eight, last.first_four) == (after.all_eight - 1, after.first_four)


# --- compliance -------------------------------------------------------------------------------------------


def test_compliance_of_the_month_per_officer(station_head: User, officer: User) -> None:
    month = timezone.localdate().replace(day=1)
    rows = {r.officer_id: r for r in selectors.compliance_rows(user=station_head, month=month)}
    mine = rows[officer.officer_id]
    days = set(
        CheckIn.objects.filter(officer=officer.officer, counts=True, day__gte=month).values_list("day", flat=True)
    )
    assert mine.days_checked == len(days)
    assignment = BeatAssignment.objects.get(officer=officer.officer, end__isnull=True)
    assert mine.days_required == rules.days_required(
        per_month=services.policy_in_force(month).days_required, month=month, assigned_from=assignment.start,
        assigned_until=None,
    )
    assert mine.met == (mine.days_checked >= mine.days_required)
    assert set(rows) == set(
        BeatAssignment.objects.filter(beat__station=station_head.home_station).filter(
            Q(end__isnull=True) | Q(end__gte=month)
        ).values_list("officer_id", flat=True)
    )


def test_an_accepted_flagged_check_in_adds_a_day(station_head: User, officer: User) -> None:
    flagged = CheckIn.objects.filter(officer=officer.officer, counts=False).order_by("-at").first()
    assert flagged is not None, "the tiny demo flags some of the officer's check-ins"
    month = flagged.day.replace(day=1)
    before = {r.officer_id: r for r in selectors.compliance_rows(user=station_head, month=month)}[officer.officer_id]
    other_days = CheckIn.objects.filter(officer=officer.officer, counts=True, day=flagged.day).exists()
    services.checkin_review(user=station_head, check_in=flagged, accepted=True)
    after = {r.officer_id: r for r in selectors.compliance_rows(user=station_head, month=month)}[officer.officer_id]
    assert after.days_checked == before.days_checked + (0 if other_days else 1)


def test_a_month_with_no_assignment_has_no_rows(station_head: User) -> None:
    assert selectors.compliance_rows(user=station_head, month=dt.date(1990, 1, 1)) == []


def test_compliance_rolls_up_to_the_units(city_staff: User, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    month = timezone.localdate().replace(day=1)
    with django_assert_max_num_queries(5):
        rows = selectors.compliance_rows(user=city_staff, month=month)
        summaries = selectors.compliance_by_unit(user=city_staff, unit=city_staff.home_region, rows=rows)
    assert sum(s.officers for s in summaries) == len(rows) > 0
    assert sum(s.met for s in summaries) == sum(1 for r in rows if r.met)
    assert all(s.unit_kind == "region" for s in summaries if s.officers)
