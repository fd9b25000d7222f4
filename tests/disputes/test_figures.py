"""Figures: the pure arithmetic (rates, year on year, periods), then counts on hand-made disputes at
a station of their own, read through the summary table and drilled down by unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone, translation

from disputes import selectors, services
from disputes.choices import DisputeKind, FoundBy, RiskLevel
from disputes.choices import DisputeState as S
from disputes.figures import Counts, FigureRow, Period, change, change_points, percent, resolution_rate
from disputes.templatetags.disputes import change_pct, pct, points
from stations.models import Region, Station, User

# --- pure arithmetic ------------------------------------------------------------------------------


def test_resolution_rate() -> None:
    assert resolution_rate(resolved=38_000, found=40_000) == 0.95
    assert resolution_rate(resolved=0, found=7) == 0
    assert resolution_rate(resolved=0, found=0) is None  # an empty period has no rate, not 0 %


def test_year_on_year_change() -> None:
    assert round(change(this=190, last=220), 4) == -0.1364  # 民转刑 −13.6 %
    assert round(change(this=13, last=14), 4) == -0.0714  # 民转命 −7.1 %
    assert change(this=5, last=5) == 0
    assert change(this=5, last=0) is None  # zero last year: nothing to compare with, no division
    assert change(this=0, last=0) is None
    assert change(this=None, last=3) is None
    assert change(this=0, last=4) == -1


def test_change_of_a_rate_in_points() -> None:
    assert round(change_points(this=0.95, last=0.9), 6) == 5.0
    assert change_points(this=None, last=0.9) is None
    assert change_points(this=0.9, last=None) is None


def test_figures_show_n_a_where_there_is_nothing_to_compare() -> None:
    with translation.override("en"):
        assert pct(None) == "n/a" and pct(0.95) == "95.0 %"
        assert (
            change_pct(None) == "n/a" and change_pct(-0.13636) == "−13.6 %" and change_pct(0.184) == "+18.4 %"
        )
        assert points(None) == "n/a" and points(-2.04) == "−2.0 pts"
    with translation.override("zh-hans"):
        assert pct(None) != "n/a"  # translated
    assert percent(None) is None and percent(0.9512) == 95.1


def test_periods_are_whole_months_compared_with_the_same_months_a_year_earlier() -> None:
    period = Period.months_of(2025, 1, 3)
    assert (period.first, period.last, period.end) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
    )
    assert period.last_year() == Period(dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert Period.months_of(2024, 2, 2).end == dt.date(2024, 2, 29)
    assert Period.months_of(2025, 11, 12).last_year().end == dt.date(2024, 12, 31)
    assert Period.year_to_date(dt.date(2026, 11, 29)) == Period.months_of(2026, 1, 11)
    assert len(Period.months_of(2025).months) == 12
    with pytest.raises(ValueError):
        Period(dt.date(2025, 3, 1), dt.date(2025, 1, 1))
    with pytest.raises(ValueError):
        Period(dt.date(2025, 3, 2), dt.date(2025, 4, 1))


def test_a_row_compares_every_count_with_last_year() -> None:
    row = FigureRow(
        "station",
        1,
        "x",
        this=Counts(found=4, resolved=2, criminal=1, homicide=0, open_high=1),
        last=Counts(found=0, resolved=0, criminal=2, homicide=0),
    )
    assert row.rate == 0.5 and row.last_rate is None and row.rate_change_points is None
    assert row.found_change is None  # nothing found last year
    assert row.criminal_change == -0.5
    assert row.homicide_change is None
    assert row.this.open == 1 and row.this.escalated == 1
    assert Counts(found=1, criminal=1) + Counts(found=2, open_low=1) == Counts(
        found=3, criminal=1, open_low=1
    )


# --- hand-made disputes through the summary --------------------------------------------------------

YEAR = timezone.localdate().year - 1  # the period under test: January–March of last year
PERIOD = Period.months_of(YEAR, 1, 3)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def station(db: None, officer: User) -> Station:
    """A station of its own in officer's county, so every count on it is ours."""
    return Station.objects.create(code="620102990001", name="测试派出所", county=officer.home_station.county)


def _dispute(
    user: User, station: Station, found: dt.date, *moves: tuple[str, dt.date], risk: str = RiskLevel.LOW
) -> Any:
    dispute = services.dispute_create(
        user=user,
        station=station,
        title="测试纠纷",
        kind=DisputeKind.DEBT,
        found_by=FoundBy.CALL,
        found_on=found,
        risk=risk,
        now=_at(found, 9),
    )
    for to, day in moves:
        services.dispute_transition(dispute=dispute, to=to, note="测试。", user=user, at=_at(day))
    return dispute


@pytest.fixture
def hand_made(station: Station, province_admin: User) -> Station:
    d = dt.date
    # This period: 4 found — 2 resolved, 1 still open (high risk), 1 became a criminal case in March.
    _dispute(
        province_admin, station, d(YEAR, 1, 10), (S.MEDIATING, d(YEAR, 1, 11)), (S.RESOLVED, d(YEAR, 1, 20))
    )
    _dispute(province_admin, station, d(YEAR, 2, 5), (S.RESOLVED, d(YEAR, 2, 5)))
    _dispute(
        province_admin, station, d(YEAR, 2, 20), (S.ESCALATED_CRIMINAL, d(YEAR, 3, 5)), risk=RiskLevel.HIGH
    )
    _dispute(province_admin, station, d(YEAR, 3, 1), (S.MEDIATING, d(YEAR, 3, 2)), risk=RiskLevel.HIGH)
    # Outside the period: found in April, and a homicide in April from a dispute found in March.
    _dispute(province_admin, station, d(YEAR, 4, 2))
    _dispute(province_admin, station, d(YEAR, 3, 30), (S.ESCALATED_HOMICIDE, d(YEAR, 4, 3)))
    # The same months a year earlier: 3 found — 2 resolved, 1 criminal case (in February).
    _dispute(province_admin, station, d(YEAR - 1, 1, 3), (S.RESOLVED, d(YEAR - 1, 1, 9)))
    _dispute(province_admin, station, d(YEAR - 1, 1, 15), (S.ESCALATED_CRIMINAL, d(YEAR - 1, 2, 1)))
    _dispute(
        province_admin,
        station,
        d(YEAR - 1, 3, 31),
        (S.TRANSFERRED_COURT, d(YEAR - 1, 4, 30)),
        (S.RESOLVED, d(YEAR - 1, 5, 3)),
    )
    services.dispute_figures_refresh()
    return station


def test_counts_of_a_station_and_its_comparison_with_last_year(
    hand_made: Station, county_staff: User
) -> None:
    report = selectors.dispute_figures(user=county_staff, unit=hand_made, period=PERIOD)
    this, last = report.total.this, report.total.last
    # The March dispute found on the 30th counts as found (and its April homicide not in this period).
    assert this == Counts(found=5, resolved=2, open_high=1, criminal=1)
    assert last == Counts(found=3, resolved=2, criminal=1)
    assert report.total.rate == 2 / 5
    assert round(report.total.last_rate, 4) == round(2 / 3, 4)
    assert report.total.criminal_change == 0
    assert report.total.homicide_change is None  # none either year: "n/a", no division by zero
    assert round(report.total.found_change, 4) == round(5 / 3 - 1, 4)
    april = selectors.dispute_figures(user=county_staff, unit=hand_made, period=Period.months_of(YEAR, 4, 4))
    assert april.total.this == Counts(found=1, open_low=1, homicide=1)
    assert april.total.last.resolved == 0 and april.total.last.found == 0  # resolved in May, found in March


def test_an_empty_period_has_zero_counts_and_no_rates(hand_made: Station, county_staff: User) -> None:
    report = selectors.dispute_figures(
        user=county_staff, unit=hand_made, period=Period.months_of(2001, 1, 12)
    )
    assert report.total.this == Counts() and report.total.last == Counts()
    assert report.total.rate is None and report.total.rate_change_points is None
    assert report.total.found_change is None and report.total.criminal_change is None


def test_the_summary_agrees_with_the_disputes_counted_directly(
    hand_made: Station, county_staff: User
) -> None:
    county = county_staff.home_region
    for period in (PERIOD, PERIOD.last_year(), Period.year_to_date(timezone.localdate())):
        for unit in (hand_made, county):
            report = selectors.dispute_figures(user=county_staff, unit=unit, period=period)
            assert report.total.this == selectors.figures_live(user=county_staff, unit=unit, period=period)


def test_drill_down_from_the_province_to_the_station(
    hand_made: Station, province_admin: User, django_assert_max_num_queries: Any
) -> None:
    province = province_admin.home_region
    period = PERIOD
    with django_assert_max_num_queries(3):
        top = selectors.dispute_figures(user=province_admin, unit=province, period=period)
    assert {row.unit_kind for row in top.rows} == {"region"}
    assert sum((row.this for row in top.rows), Counts()) == top.total.this
    assert sum((row.last for row in top.rows), Counts()) == top.total.last
    county = hand_made.county
    city = Region.objects.get(pk=county.parent_id)
    city_row = next(row for row in top.rows if row.unit_id == city.pk)
    city_report = selectors.dispute_figures(user=province_admin, unit=city, period=period)
    assert city_report.total.this == city_row.this and city_report.total.last == city_row.last
    county_row = next(row for row in city_report.rows if row.unit_id == county.pk)
    county_report = selectors.dispute_figures(user=province_admin, unit=county, period=period)
    assert county_report.total.this == county_row.this
    station_row = next(
        row for row in county_report.rows if row.unit_kind == "station" and row.unit_id == hand_made.pk
    )
    assert station_row.this == Counts(found=5, resolved=2, open_high=1, criminal=1)
    assert selectors.dispute_figures(user=province_admin, unit=hand_made, period=period).rows == []


def test_figures_stay_inside_the_jurisdiction(hand_made: Station, officer_b: User, officer: User) -> None:
    # officer_b's own station report never includes another station's disputes …
    report = selectors.dispute_figures(user=officer_b, unit=officer_b.home_station, period=PERIOD)
    assert report.total.this == selectors.figures_live(
        user=officer_b, unit=officer_b.home_station, period=PERIOD
    )
    # … and a unit outside the jurisdiction reads as empty even if a caller passed it in.
    assert selectors.dispute_figures(user=officer, unit=hand_made, period=PERIOD).total.this == Counts()


def test_the_figures_query_count_does_not_grow_with_the_units(
    province_admin: User, django_assert_max_num_queries: Any
) -> None:
    province = province_admin.home_region
    for unit in [province, *Region.objects.filter(parent=province)[:3]]:
        with django_assert_max_num_queries(3):
            selectors.dispute_figures(user=province_admin, unit=unit, period=PERIOD)
