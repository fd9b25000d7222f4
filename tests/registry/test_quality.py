"""Data-quality rates: the pure arithmetic, the set-based computation on hand-made records, the failing
records, the SQL national-ID check against python-stdnum, bounded query counts, jurisdiction."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from stdnum.cn import ric

from registry.models import Address, Person, QualityIssue, QualityRate
from registry.quality import (
    Counts,
    freshness_cutoff,
    is_fresh,
    is_red,
    national_id_check_sql,
    quality_recompute,
    rate,
)
from registry.validation import national_id_is_valid
from stations.models import Station, User

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 6, 15)


def nid(birth: str = "19900101", seq: int = 123, code: str = "620102") -> str:
    body = f"{code}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


# --- pure ---------------------------------------------------------------------------------------------


def test_rate_is_a_share_and_an_empty_unit_is_perfect() -> None:
    assert rate(49, 50) == 0.98
    assert rate(0, 0) == 1.0
    with pytest.raises(ValueError):
        rate(3, 2)


def test_below_98_percent_is_red() -> None:
    assert not is_red(0.98)
    assert is_red(0.9799)
    assert is_red(rate(48, 50))


def test_freshness_window_is_measured_from_the_given_now() -> None:
    assert freshness_cutoff(now=NOW, days=90) == NOW - dt.timedelta(days=90)
    assert is_fresh(NOW - dt.timedelta(days=89), now=NOW, days=90)
    assert not is_fresh(NOW - dt.timedelta(days=91), now=NOW, days=90)
    assert not is_fresh(None, now=NOW, days=90)


def test_counts_add_up_for_a_rollup() -> None:
    total = Counts(10, 9, 8, 7) + Counts(40, 40, 39, 20)
    assert total == Counts(50, 49, 47, 27)
    assert (total.completeness, total.accuracy, total.freshness) == (0.98, 0.94, 0.54)


# --- the SQL check agrees with python-stdnum ---------------------------------------------------------------


@pytest.mark.django_db
def test_sql_national_id_check_agrees_with_stdnum_on_thousands_of_ids() -> None:
    rng = random.Random(11)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM registry_ricplace")
        codes = [row[0] for row in cursor.fetchall()]
    ids = []
    for _ in range(3000):
        code = rng.choice(codes) if rng.random() < 0.9 else f"{rng.randrange(10**6):06d}"
        body = f"{code}{rng.randrange(1890, 2030):04d}{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}{rng.randrange(1000):03d}"
        check = ric.calc_check_digit(body + "0") if rng.random() < 0.9 else rng.choice("0123456789X")
        ids.append(body + check)

    def python_says(number: str) -> bool:
        try:
            return national_id_is_valid(number)
        except KeyError:  # stdnum's table lookup fails this way on some unknown county codes
            return False

    with connection.cursor() as cursor:
        cursor.execute(national_id_check_sql(), {"ids": ids, "day": dt.date.today()})
        sql = dict(cursor.fetchall())
    valid = [n for n in ids if python_says(n)]
    assert len(valid) > 500 and len(valid) < 3000  # both kinds are well represented
    assert [n for n in ids if bool(sql[n]) != python_says(n)] == []


# --- the computation on hand-made data ------------------------------------------------------------------


@pytest.fixture
def station(officer: User) -> Station:
    """A station of its own, so the demo's records do not enter the arithmetic."""
    home = officer.home_station
    return Station.objects.create(code="620102990001", name="Quality test station", county=home.county)


def person(station: Station, address: Address | None, **fields: Any) -> Person:
    values = {
        "national_id": nid(seq=random.randrange(1, 999)),
        "name": "测试",
        "gender": "",
        "birth_date": None,
        "phone": "13812345678",
        "category": "permanent",
        "verified_at": NOW - dt.timedelta(days=10),
        "address": address,
        "station": station,
        **fields,
    }
    number = values["national_id"]
    if not values["gender"] and number[:17].isdigit():
        values["gender"] = "M" if int(number[16]) % 2 else "F"
    if values["birth_date"] is None and number[:14].isdigit():
        values["birth_date"] = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return Person.objects.create(**values)


@pytest.mark.django_db
def test_rates_and_failing_records_on_hand_made_persons(station: Station, officer: User) -> None:
    address = Address.objects.create(code="T-Q-1", level="room", county=station.county, station=station, name="1", full_text="Q 1")
    good = [person(station, address, national_id=nid(seq=s)) for s in (11, 13, 15, 17, 19, 21)]
    no_phone = person(station, address, national_id=nid(seq=31), phone="")
    bad_id = person(station, address, national_id=nid(seq=33)[:17] + ("1" if nid(seq=33)[17] != "1" else "2"), gender="M", birth_date=dt.date(1990, 1, 1))
    wrong_gender = person(station, address, national_id=nid(seq=35), gender="F")  # 5 is odd: male
    no_address = person(station, None, national_id=nid(seq=37))
    stale_floating = person(  # verified 100 days ago: fresh for a resident (365), stale for floating (90)
        station, address, national_id=nid(seq=39), category="floating", inflow_date=dt.date(2025, 1, 1),
        inflow_origin="成都", verified_at=NOW - dt.timedelta(days=100),
    )  # fmt: skip
    old_resident = person(station, address, national_id=nid(seq=41), verified_at=NOW - dt.timedelta(days=100))
    person(station, address, national_id=nid(seq=43), deleted=True)  # tombstones do not count

    quality_recompute(day=DAY, now=NOW)

    row = QualityRate.objects.get(day=DAY, kind="persons", station=station)
    assert row.total == 12
    assert row.complete == 10  # no_phone, no_address
    assert row.accurate == 9  # bad_id, wrong_gender, no_address (not linked)
    assert row.fresh == 11  # stale_floating only
    assert row.completeness == pytest.approx(10 / 12)
    issues = {(i.record_id, i.rule) for i in QualityIssue.objects.filter(station=station, kind="persons")}
    assert issues == {
        (no_phone.pk, "missing_phone"),
        (bad_id.pk, "bad_national_id"),
        (wrong_gender.pk, "gender_mismatch"),
        (no_address.pk, "missing_address"),
        (no_address.pk, "address_not_linked"),
        (stale_floating.pk, "stale"),
    }
    assert not QualityIssue.objects.filter(record_id__in=[p.pk for p in good] + [old_resident.pk]).exists()

    # Rolled up: the county and everything above it carries the station's counts (and others').
    county = QualityRate.objects.get(day=DAY, kind="persons", region=station.county)
    assert county.total >= row.total and county.complete >= row.complete

    # Fixing a record and recomputing clears its issue (recomputing the same day replaces, never adds).
    Person.objects.filter(pk=no_phone.pk).update(phone="13900000000")
    quality_recompute(day=DAY, now=NOW)
    assert QualityRate.objects.get(day=DAY, kind="persons", station=station).complete == 11
    assert not QualityIssue.objects.filter(record_id=no_phone.pk, kind="persons").exists()
    assert QualityRate.objects.filter(day=DAY, kind="persons", station=station).count() == 1


@pytest.mark.django_db
def test_recompute_runs_the_same_number_of_queries_for_3_and_30_stations(officer: User) -> None:
    county = officer.home_station.county

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            quality_recompute(day=DAY, now=NOW)
        return len(ctx.captured_queries)

    for i in range(3):
        Station.objects.create(code=f"6201029910{i:02d}", name=f"S{i}", county=county)
    few = count_queries()
    for i in range(3, 30):
        Station.objects.create(code=f"6201029910{i:02d}", name=f"S{i}", county=county)
    many = count_queries()
    assert few == many


@pytest.mark.django_db
def test_quality_page_query_count_does_not_grow_with_stations(officer: User, county_staff: User, client: Any) -> None:
    county = officer.home_station.county
    client.force_login(county_staff)
    quality_recompute(day=DAY, now=NOW)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/registry/quality/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = page_queries()
    for i in range(25):
        Station.objects.create(code=f"6201029920{i:02d}", name=f"T{i}", county=county)
    quality_recompute(day=DAY, now=NOW)
    assert page_queries() == few


# --- jurisdiction ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quality_rows_of_another_station_are_404(officer: User, officer_b: User, api: Any, client: Any) -> None:
    quality_recompute(day=DAY, now=NOW)
    mine = QualityRate.objects.get(day=DAY, kind="persons", station=officer.home_station)

    assert api(officer).get(f"/api/v1/registry/quality/{mine.pk}/").status_code == 200
    assert api(officer_b).get(f"/api/v1/registry/quality/{mine.pk}/").status_code == 404
    listed = api(officer_b).get("/api/v1/registry/quality/?page_size=1000").json()["results"]
    assert mine.pk not in {row["id"] for row in listed}
    row = api(officer).get(f"/api/v1/registry/quality/{mine.pk}/").json()
    assert {"unit", "kind", "completeness", "accuracy", "freshness", "computed_at"} <= set(row)
    assert row["unit"] == officer.home_station.code

    client.force_login(officer_b)
    assert client.get(f"/registry/quality/?unit=station:{officer.home_station_id}").status_code == 404
    client.force_login(officer)
    assert client.get(f"/registry/quality/?unit=station:{officer.home_station_id}").status_code == 200


@pytest.mark.django_db
def test_failing_records_list_shows_only_my_records_with_a_fix_link(officer: User, officer_b: User, client: Any) -> None:
    address = Address.objects.create(
        code="T-Q-2", level="room", county=officer.home_station.county, station=officer.home_station, name="2", full_text="Q 2"
    )
    mine = person(officer.home_station, address, national_id=nid(seq=51), phone="")
    theirs = person(officer_b.home_station, None, national_id=nid(seq=53), phone="")
    quality_recompute(day=DAY, now=NOW)

    client.force_login(officer)
    html = client.get("/registry/quality/issues/?kind=persons&dimension=completeness").content.decode()
    assert f"/registry/persons/{mine.pk}/edit/" in html
    assert f"/registry/persons/{theirs.pk}/" not in html
