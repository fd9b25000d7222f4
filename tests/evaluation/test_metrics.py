"""The metrics that read disputes, key-venue inspections, the eight nos, household heads and awards:
each on a small situation built with the source apps' own services at two new stations of a new
county (so the county's roll-up holds exactly those rows), for a month long before the demo's data."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum.cn import ric, uscc

from evaluation import services
from evaluation.metrics import METRICS, PENDING_METRICS, Ratio, Units
from evaluation.models import Period, Score
from stations.choices import OfficerKind, RegionLevel
from stations.models import Officer, Posting, Region, Station, User
from tests.evaluation.conftest import make_station

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
MONTH = dt.date(2023, 3, 1)  # the period: March 2023, before anything the demo holds
NEW_METRICS = (
    "dispute_resolution", "dispute_escalations", "inspection_coverage", "eight_nos_share",
    "household_head_activity", "award_share",
)
_seq = itertools.count(1)


@dataclass
class Place:
    county: Region
    one: Station
    two: Station
    period: Period
    admin: User

    def units(self) -> Units:
        units, _levels, _fields = services._units()
        return units

    def values(self, key: str) -> dict[str, Ratio]:
        return METRICS[key](self.units(), self.period)

    def at(self, key: str) -> tuple[Ratio | None, Ratio | None, Ratio | None]:
        """The metric's ratio at station one, station two and the county."""
        values = self.values(key)
        return values.get(f"s:{self.one.pk}"), values.get(f"s:{self.two.pk}"), values.get(f"r:{self.county.pk}")


@pytest.fixture
def place(officer: User, province_admin: User) -> Place:
    city = officer.home_station.county.parent
    taken = set(Region.objects.filter(code__startswith=city.code[:4]).values_list("code", flat=True))
    code = next(f"{city.code[:4]}{n:02d}" for n in range(99, 0, -1) if f"{city.code[:4]}{n:02d}" not in taken)
    county = Region.objects.create(code=code, name="测试县", level=RegionLevel.COUNTY, parent=city)
    return Place(
        county=county, one=make_station(county, police=2), two=make_station(county, police=1),
        period=services.period_month(day=MONTH), admin=province_admin,
    )


def at(day: int, hour: int = 10, month: dt.date = MONTH) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, tzinfo=TZ)


def test_nothing_is_left_as_no_data() -> None:
    assert PENDING_METRICS == {}
    assert set(NEW_METRICS) <= set(METRICS)


# --- disputes -------------------------------------------------------------------------------------


def _dispute(place: Place, station: Station, found_on: dt.date, *moves: tuple[str, dt.datetime]) -> Any:
    from disputes import services as disputes

    dispute = disputes.dispute_create(
        user=place.admin, station=station, title=f"测试纠纷{next(_seq)}", kind="neighbour", found_by="call",
        found_on=found_on,
    )
    for to, when in moves:
        disputes.dispute_transition(dispute=dispute, to=to, note="测试", user=place.admin, at=when)
    return dispute


def _disputes(place: Place) -> dict[str, Any]:
    from disputes import services as disputes

    made = {
        # Station one: four found in March, three resolved, one escalated into a criminal case.
        "resolved_1": _dispute(place, place.one, MONTH, ("mediating", at(2)), ("resolved", at(5))),
        "resolved_2": _dispute(place, place.one, MONTH.replace(day=3), ("resolved", at(3, 15))),
        "resolved_3": _dispute(place, place.one, MONTH.replace(day=10), ("resolved", at(28))),
        "criminal": _dispute(place, place.one, MONTH.replace(day=12), ("mediating", at(13)),
                             ("escalated_criminal", at(20))),
        # Found in April: outside the period.
        "april": _dispute(place, place.one, dt.date(2023, 4, 3), ("resolved", at(4, month=dt.date(2023, 4, 1)))),
        # Station two: one resolved, one still being mediated.
        "resolved_4": _dispute(place, place.two, MONTH.replace(day=7), ("resolved", at(9))),
        "open": _dispute(place, place.two, MONTH.replace(day=20), ("mediating", at(21))),
    }
    disputes.dispute_figures_refresh()  # the disputes app's monthly summary, as its Celery task keeps it
    return made


def test_dispute_resolution_is_the_disputes_apps_rate(place: Place) -> None:
    _disputes(place)
    one, two, county = place.at("dispute_resolution")
    assert (one, two, county) == (Ratio(3, 4), Ratio(1, 2), Ratio(4, 6))
    assert county.value == pytest.approx(2 / 3)


def test_dispute_escalations_are_a_rate_of_the_disputes_found(place: Place) -> None:
    _disputes(place)
    one, two, county = place.at("dispute_escalations")
    assert (one, two, county) == (Ratio(1, 4), Ratio(0, 2), Ratio(1, 6))
    # A homicide the same month counts too, once (at its worst state).
    from disputes import services as disputes

    worse = _dispute(place, place.two, MONTH.replace(day=22), ("escalated_criminal", at(23)),
                     ("escalated_homicide", at(25)))
    assert worse.state == "escalated_homicide"
    disputes.dispute_figures_refresh()
    one, two, county = place.at("dispute_escalations")
    assert (two, county) == (Ratio(1, 3), Ratio(2, 7))


# --- key-venue inspections -----------------------------------------------------------------------------


def _uscc() -> str:
    from registry.models import Unit

    for n in itertools.count(30_000_000 + next(_seq) * 7919):
        org = f"{n % 10**8:08d}"
        total = sum(int(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
        body = "91620102" + org + check
        code = body + uscc.calc_check_digit(body)
        if not Unit.objects.filter(uscc=code).exists():
            return code
    raise AssertionError


def test_inspection_coverage_counts_key_venues_inspected_in_the_period(place: Place) -> None:
    from registry import services as registry
    from registry.inspections import inspection_record

    def venue(station: Station, kind: str) -> Any:
        return registry.unit_create(user=place.admin, name=f"场所{next(_seq)}", uscc=_uscc(), kind=kind, station=station)

    def inspect(unit: Any, when: dt.datetime) -> None:
        inspection_record(user=place.admin, venue_id=unit.pk, inspected_at=when, officer_ids=[], unannounced=True)

    hotel, cafe, depot = venue(place.one, "hotel"), venue(place.one, "internet_cafe"), venue(place.one, "logistics")
    shop = venue(place.one, "other")  # not a key trade: never counted
    closed = venue(place.one, "entertainment")
    inspect(hotel, at(3))
    inspect(hotel, at(17))  # twice: still one venue covered
    inspect(cafe, at(27, month=dt.date(2023, 2, 1)))  # February: outside the period
    inspect(closed, at(8))
    registry.unit_delete(user=place.admin, unit=closed)  # deleted venues leave the count
    inspect(depot, dt.datetime(2023, 4, 1, 0, 30, tzinfo=TZ))  # just after the period, local time
    bar, inn = venue(place.two, "entertainment"), venue(place.two, "hotel")
    inspect(inn, dt.datetime(2023, 3, 31, 23, 30, tzinfo=TZ))  # the period's last local hour
    assert shop.kind == "other" and bar.kind == "entertainment"

    one, two, county = place.at("inspection_coverage")
    assert (one, two, county) == (Ratio(1, 3), Ratio(1, 2), Ratio(2, 5))


# --- eight nos and household heads --------------------------------------------------------------------------


def _community(place: Place, station: Station) -> Any:
    from beats import services as beats

    n = next(_seq)
    return beats.community_create(user=None, station=station, code=f"T{place.county.code}{n:04d}", name=f"测试村{n}",
                                  kind="rural", beat=None, year=MONTH.year)


def test_eight_nos_share_counts_breaches_up_to_the_period_end(place: Place) -> None:
    from beats import services as beats

    one = [_community(place, place.one) for _ in range(4)]
    two = [_community(place, place.two)]
    beats.eight_nos_breach_record(user=None, community=one[0], item="drugs", occurred_on=dt.date(2023, 2, 14),
                                  description="贩毒案")
    beats.eight_nos_breach_record(user=None, community=one[1], item="telecom_fraud", occurred_on=dt.date(2023, 5, 2),
                                  description="电诈案")  # after March: March still holds
    beats.eight_nos_breach_record(user=None, community=two[0], item="gangs", occurred_on=dt.date(2022, 11, 2),
                                  description="去年的案件")  # last year: this year still holds

    s_one, s_two, county = place.at("eight_nos_share")
    assert (s_one, s_two, county) == (Ratio(3, 4), Ratio(1, 1), Ratio(4, 5))


def _national_id() -> str:
    from beats.models import HouseholdHead

    while True:
        n = next(_seq)
        body = f"620102{dt.date(1985, 1, 1) + dt.timedelta(days=n * 37):%Y%m%d}{(n % 500) * 2 + 1:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if not HouseholdHead.objects.filter(national_id=number).exists():
            return number


def test_household_head_activity_is_the_share_of_serving_heads_with_a_confirmed_activity(place: Place) -> None:
    from beats import services as beats

    village_one, village_two = _community(place, place.one), _community(place, place.two)

    def head(village: Any, appointed_on: dt.date) -> Any:
        return beats.household_head_appoint(user=None, community=village, national_id=_national_id(),
                                            name=f"户长{next(_seq)}", appointed_on=appointed_on)

    def activity(person: Any, day: dt.date, confirm: bool | None) -> None:
        row = beats.household_head_activity_report(user=None, head=person, kind="joint_patrol", occurred_on=day,
                                                   description="联防巡逻")
        if confirm is not None:
            beats.household_head_activity_decide(user=place.admin, activity=row, confirm=confirm)

    active = head(village_one, dt.date(2022, 6, 1))
    activity(active, MONTH.replace(day=9), True)
    activity(active, MONTH.replace(day=19), True)  # two activities: still one head
    idle = head(village_one, dt.date(2022, 6, 1))
    activity(idle, MONTH.replace(day=9), None)  # reported, not confirmed
    activity(idle, dt.date(2023, 4, 2), True)  # confirmed, but in April
    gone = head(village_one, dt.date(2022, 6, 1))
    beats.household_head_end(user=place.admin, head=gone, on=dt.date(2023, 2, 10))  # not serving in March
    head(village_one, dt.date(2023, 4, 1))  # appointed after the period
    rejected = head(village_two, dt.date(2022, 1, 1))
    activity(rejected, MONTH.replace(day=3), False)

    one, two, county = place.at("household_head_activity")
    assert (one, two, county) == (Ratio(1, 2), Ratio(0, 1), Ratio(1, 3))


# --- awards ---------------------------------------------------------------------------------------------------


def test_award_share_is_the_station_officers_share_of_individual_awards(place: Place) -> None:
    from rewards import services as rewards
    from rewards.models import AwardLevel

    level = AwardLevel.objects.order_by("rank").first()
    bureau = Officer.objects.create(badge_number=f"TB{next(_seq):05d}", name="局机关民警", kind=OfficerKind.POLICE,
                                    station=None, region=place.county)
    Posting.objects.create(officer=bureau, station=None, region=place.county, start=dt.date(2020, 1, 1))
    station_officers = list(Officer.objects.filter(station=place.one).order_by("pk"))
    city = place.county.parent

    def grant(on: dt.date, **recipient: Any) -> None:
        rewards.award_grant(user=place.admin, level=level, awarded_on=on, reason="测试嘉奖", issuing_region=city,
                            **recipient)

    grant(MONTH.replace(day=5), officer=station_officers[0])
    grant(MONTH.replace(day=6), officer=station_officers[1])
    grant(dt.date(2023, 4, 6), officer=station_officers[1])  # April: outside
    grant(MONTH.replace(day=7), officer=bureau)
    grant(MONTH.replace(day=8), officer=bureau)
    grant(MONTH.replace(day=9), recipient_station=place.one)  # collective: not in the rule

    one, two, county = place.at("award_share")
    assert one == Ratio(2, 2)
    assert two is None  # no individual award: no data, the indicator is left out
    assert county == Ratio(2, 4)
    assert county.value == 0.5


# --- query counts and scoring ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", NEW_METRICS)
def test_query_count_does_not_grow_with_units(key: str, place: Place, django_assert_max_num_queries: Any) -> None:
    few = Units(station_paths={place.one.pk: place.county.path}, region_paths={place.county.pk: place.county.path})
    with CaptureQueriesContext(connection) as small:
        METRICS[key](few, place.period)
    for _ in range(4):
        make_station(place.county, police=1)
    units = place.units()
    assert len(units.station_paths) > len(few.station_paths) + 4
    with django_assert_max_num_queries(len(small.captured_queries)):
        values = METRICS[key](units, place.period)
    assert len(small.captured_queries) == 1
    assert set(values) <= set(units.keys)


def _line(score: Score, metric: str) -> dict[str, Any]:
    return next(line for line in score.breakdown if line["metric"] == metric)


def test_scoring_now_gives_these_indicators_points(place: Place, province_admin: User) -> None:
    from beats import services as beats

    made = _disputes(place)
    _community(place, place.one)
    village = _community(place, place.one)
    beats.eight_nos_breach_record(user=None, community=village, item="cults", occurred_on=MONTH, description="邪教")

    services.assessment_score(period=place.period)
    one = Score.objects.get(period=place.period, station=place.one)
    county = Score.objects.get(period=place.period, region=place.county, station__isnull=True)

    resolution = _line(one, "dispute_resolution")
    assert resolution["value"] == 0.75
    assert resolution["points"] == 8.0  # 40 points, linear from 70 % to 95 %
    escalations = _line(one, "dispute_escalations")
    assert escalations["value"] == 0.25 and escalations["points"] == 0.0  # above the 5 % floor
    assert _line(Score.objects.get(period=place.period, station=place.two), "dispute_escalations")["points"] == 20
    eight = _line(one, "eight_nos_share")
    assert eight["value"] == 0.5 and eight["points"] == 0.0  # all or nothing at 60 %
    assert _line(county, "dispute_resolution")["value"] == pytest.approx(4 / 6)
    assert _line(county, "eight_nos_share")["points"] == 0.0
    assert one.max_points >= 40 + 20 + 5  # the wired indicators now count in the points assessed

    # The page that answers "why did we lose points" links to the disputes behind them.
    from django.test import Client

    client = Client()
    client.force_login(province_admin)
    page = client.get(reverse("evaluation:score", args=[one.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    listed = f"{reverse('disputes:list')}?station={place.one.pk}&amp;state=escalated_criminal"
    assert listed in body
    assert f"{reverse('beats:community_list')}?station={place.one.pk}&amp;year=2023&amp;holds=broken" in body
    # ... and the link lists the dispute that cost the points, not the resolved ones.
    link = next(link["url"] for line in page.context["lines"] for link in line["record_links"]
                if "escalated_criminal" in link["url"])
    listing = client.get(link).content.decode()
    assert made["criminal"].title in listing and made["resolved_1"].title not in listing
    # A county's line links to the app's drill-down page for the county and the period.
    county_page = client.get(reverse("evaluation:score", args=[county.pk])).content.decode()
    assert f"{reverse('disputes:figures')}?unit=region%3A{place.county.pk}&amp;year=2023&amp;from=3&amp;to=3" in county_page
