"""Key-venue inspections: the partitioned table, monthly partitions, plans drawn at random on Monday,
recording, coverage arithmetic and jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from registry.inspections import (
    Coverage,
    PlanTooEarly,
    coverage_ratio,
    coverage_rollup,
    draw_venues,
    inspection_coverage_counts,
    inspection_partitions_create,
    inspection_plans_draw,
    inspection_record,
    partition_name,
    plan_size,
    week_start,
)
from registry.models import Address, Inspection, InspectionPlan, InspectionPlanItem, Unit
from stations.models import Officer, User

TZ = ZoneInfo("Asia/Shanghai")


# --- pure ---------------------------------------------------------------------------------------------


def test_plan_size_covers_every_venue_in_four_weeks() -> None:
    assert plan_size(0) == 0
    assert plan_size(1) == 1
    assert plan_size(4) == 1
    assert plan_size(5) == 2
    assert plan_size(40) == 10
    assert all(plan_size(n) * 4 >= n for n in range(1, 200))


def test_draw_is_a_subset_of_distinct_venues_and_every_venue_can_come_up() -> None:
    venues = [10, 20, 30, 40, 50]
    seen: Counter[int] = Counter()
    for _ in range(400):
        drawn = draw_venues(venues, 2)
        assert len(drawn) == len(set(drawn)) == 2 and set(drawn) <= set(venues)
        seen.update(drawn)
    # Uniform: each venue has probability 2/5 per draw; missing one in 400 draws is (3/5)^400 ≈ 0.
    assert set(seen) == set(venues)
    assert all(100 < seen[v] < 220 for v in venues)


def test_coverage_ratios_and_rollup() -> None:
    assert coverage_ratio(3, 4) == 0.75
    assert coverage_ratio(0, 0) is None
    counts = {1: Coverage(planned=2, planned_done=1, venues=8, venues_done=6), 2: Coverage(planned=3, planned_done=3, venues=10, venues_done=10)}
    stations = {1: "62/6201/620102/", 2: "62/6201/620103/"}
    regions = {100: "62/", 101: "62/6201/", 102: "62/6201/620102/", 103: "62/6202/"}
    totals = coverage_rollup(counts, stations, regions)
    assert (totals[100].planned, totals[100].planned_done) == (5, 4)
    assert totals[100].plan_rate == 0.8 and totals[100].four_week_rate == 16 / 18
    assert (totals[102].venues, totals[102].venues_done) == (8, 6)
    assert totals[103].planned == 0 and totals[103].plan_rate is None


def test_week_start_is_monday() -> None:
    assert week_start(dt.date(2026, 11, 29)) == dt.date(2026, 11, 23)  # a Sunday
    assert week_start(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)


# --- the partitioned table ------------------------------------------------------------------------------


@pytest.fixture
def venues(officer: User) -> list[Unit]:
    station = officer.home_station
    address = Address.objects.create(code="T-INSP-1", level="room", county=station.county, station=station, name="1", full_text="I 1")
    made = [
        Unit.objects.create(name=f"Hotel {i}", uscc=f"91620102MA7{i:06d}X"[:18], kind="hotel", address=address, station=station)
        for i in range(5)
    ]
    Unit.objects.create(name="Bakery", uscc="91620102MA7999999Y", kind="other", address=address, station=station)
    return made


@pytest.fixture
def my_officer(officer: User) -> Officer:
    found = Officer.objects.filter(station=officer.home_station).first()
    assert found is not None, "the demo posts officers at the officer's station"
    return found


@pytest.mark.django_db
def test_inspection_table_is_partitioned_by_month_and_rows_land_in_their_month(
    officer: User, venues: list[Unit], my_officer: Officer
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] WHERE c.relname = 'registry_inspection'"
        )
        assert cursor.fetchone() == ("r", "inspected_at")
    created = inspection_partitions_create(months=[dt.date(2031, 3, 1), dt.date(2031, 4, 1)])
    assert created == [partition_name(dt.date(2031, 3, 1)), partition_name(dt.date(2031, 4, 1))]
    assert inspection_partitions_create(months=[dt.date(2031, 3, 1)]) == []  # idempotent

    # Local midnight on 1 April belongs to April even though it is still 31 March in UTC.
    april = dt.datetime(2031, 4, 1, 0, 30, tzinfo=TZ)
    march = dt.datetime(2031, 3, 31, 23, 30, tzinfo=TZ)
    later = dt.datetime(2031, 9, 2, 10, 0, tzinfo=TZ)  # no partition yet: the default one
    for when in (april, march, later):
        Inspection.objects.create(venue=venues[0], station=officer.home_station, inspected_at=when, officer_ids=[my_officer.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, inspected_at FROM registry_inspection WHERE venue_id = %s ORDER BY inspected_at", [venues[0].pk])
        placed = cursor.fetchall()
    assert [table for table, _when in placed] == [
        partition_name(dt.date(2031, 3, 1)), partition_name(dt.date(2031, 4, 1)), "registry_inspection_default",
    ]  # fmt: skip

    # Creating September's partition moves its rows out of the default partition.
    inspection_partitions_create(months=[dt.date(2031, 9, 1)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM registry_inspection WHERE inspected_at = %s", [later])
        assert cursor.fetchone()[0] == partition_name(dt.date(2031, 9, 1))
    ids = list(Inspection.objects.filter(venue=venues[0]).values_list("id", flat=True))
    assert len(set(ids)) == 3  # identity ids, returned to the ORM


@pytest.mark.django_db
def test_plan_is_drawn_on_monday_not_before_and_only_once(officer: User, venues: list[Unit]) -> None:
    monday = dt.date(2025, 3, 3)  # a week the demo has no plans for
    with pytest.raises(PlanTooEarly):
        inspection_plans_draw(week=monday, today=monday - dt.timedelta(days=1))
    assert not InspectionPlan.objects.filter(week_start=monday).exists()

    drawn = inspection_plans_draw(week=monday, today=monday, station_ids=[officer.home_station_id])
    assert drawn == 1
    plan = InspectionPlan.objects.get(week_start=monday, station=officer.home_station)
    key_venues = set(Unit.objects.filter(station=officer.home_station, kind__in=["hotel", "internet_cafe", "logistics", "entertainment"], deleted=False).values_list("pk", flat=True))
    items = set(plan.items.values_list("venue_id", flat=True))
    assert items <= key_venues and len(items) == plan_size(len(key_venues)) == plan_size(plan.key_venues)
    assert inspection_plans_draw(week=monday, today=monday, station_ids=[officer.home_station_id]) == 0  # kept


@pytest.mark.django_db
def test_coverage_counts_follow_the_inspections_recorded(officer: User, venues: list[Unit], my_officer: Officer) -> None:
    monday = week_start(timezone.localdate()) - dt.timedelta(weeks=12)  # before the demo's inspections
    station = officer.home_station
    plan = InspectionPlan.objects.create(station=station, week_start=monday, drawn_at=timezone.now(), key_venues=5)
    InspectionPlanItem.objects.create(plan=plan, venue=venues[0])
    InspectionPlanItem.objects.create(plan=plan, venue=venues[1])
    start = dt.datetime.combine(monday, dt.time(9), tzinfo=TZ)
    inspection_record(user=officer, venue_id=venues[0].pk, inspected_at=start, officer_ids=[my_officer.pk], unannounced=True)
    inspection_record(user=officer, venue_id=venues[2].pk, inspected_at=start - dt.timedelta(days=10), officer_ids=[my_officer.pk], unannounced=True)
    inspection_record(user=officer, venue_id=venues[3].pk, inspected_at=start - dt.timedelta(days=40), officer_ids=[my_officer.pk], unannounced=False)

    counts = inspection_coverage_counts(station_ids=[station.pk], monday=monday)[station.pk]
    key = Unit.objects.filter(station=station, kind__in=["hotel", "internet_cafe", "logistics", "entertainment"], deleted=False).count()
    assert (counts.planned, counts.planned_done) == (2, 1)
    assert counts.venues == key and counts.venues_done == 2  # venues 0 and 2 in the four weeks, 3 is too old
    assert counts.inspections == 1


@pytest.mark.django_db
def test_recording_checks_key_venue_and_jurisdiction(officer: User, officer_b: User, venues: list[Unit], my_officer: Officer) -> None:
    from registry.inspections import NotAKeyVenue

    bakery = Unit.objects.get(uscc="91620102MA7999999Y")
    when = timezone.now() - dt.timedelta(hours=1)
    with pytest.raises(NotAKeyVenue):
        inspection_record(user=officer, venue_id=bakery.pk, inspected_at=when, officer_ids=[my_officer.pk], unannounced=True)
    with pytest.raises(Unit.DoesNotExist):
        inspection_record(user=officer_b, venue_id=venues[0].pk, inspected_at=when, officer_ids=[], unannounced=True)


@pytest.mark.django_db
def test_inspection_api_records_lists_and_hides_other_jurisdictions(
    officer: User, officer_b: User, venues: list[Unit], my_officer: Officer, api: Any
) -> None:
    when = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    response = api(officer).post(
        "/api/v1/registry/inspections/",
        {"venue": venues[1].pk, "inspected_at": when, "officer_ids": [my_officer.pk], "unannounced": True, "findings": "ok"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api(officer).get(f"/api/v1/registry/inspections/{pk}/").json()["venue"] == venues[1].pk
    assert api(officer_b).get(f"/api/v1/registry/inspections/{pk}/").status_code == 404
    assert pk not in [r["id"] for r in api(officer_b).get("/api/v1/registry/inspections/").json()["results"]]
    assert api(officer_b).post(
        "/api/v1/registry/inspections/",
        {"venue": venues[1].pk, "inspected_at": when, "officer_ids": [my_officer.pk]},
        format="json",
    ).status_code == 400  # not a venue officer_b can see
    coverage = api(officer).get("/api/v1/registry/inspections/coverage/").json()
    assert {"week", "total", "results"} <= set(coverage)


@pytest.mark.django_db
def test_inspections_page_renders_for_an_officer(officer: User, venues: list[Unit], client: Any) -> None:
    client.force_login(officer)
    response = client.get("/registry/inspections/")
    assert response.status_code == 200
    assert "Hotel 1" in response.content.decode()  # a key venue offered in the form


@pytest.mark.django_db
def test_demo_hook_records_weeks_of_inspections_and_this_weeks_plan(officer: User, venues: list[Unit]) -> None:
    from common.demo import DemoContext
    from registry import demo_ops

    today = timezone.localdate()
    demo_ops.build(DemoContext(scale="tiny", seed=1, today=today, password="x"))

    assert Inspection.objects.filter(venue__in=venues).exists()
    assert InspectionPlan.objects.filter(week_start=week_start(today), station=officer.home_station).exists()
