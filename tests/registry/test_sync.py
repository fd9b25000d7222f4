"""Incremental sync: ``(updated_at, id)`` order with a cursor over both columns, so a client syncing
while officers edit never misses or repeats a row — ties of one timestamp included, and rows that a
long transaction commits late (the sync horizon)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pgtrigger
import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from registry import services
from registry.models import Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/registry/persons/"


_OTHER_WRITERS = """
SELECT pid, application_name, state, xact_start, left(query, 120) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL
"""


@pytest.fixture(autouse=True)
def no_other_writer() -> None:
    """The sync horizon holds back rows while *any* other transaction that has written is open on the
    database, as it must; these tests assert what a client sees, so they start when no other process
    of the suite (a worker finishing a task, a live server) is inside a write transaction — and say
    which one, if it does not end within 30 s."""
    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(_OTHER_WRITERS)
            writers = cursor.fetchall()
        if not writers or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not writers, f"another write transaction stays open on the test database: {writers}"


def page(client: Any, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_editing_between_pages_loses_nothing_and_repeats_nothing_unedited(api, officer, station_a) -> None:
    client = api(officer)
    expected = set(Person.objects.filter(station=station_a).values_list("pk", flat=True))
    seen: list[int] = []
    edited: dict[int, str] = {}
    last_name: dict[int, str] = {}
    body = page(client, URL, {"page_size": 7})
    pages = 0
    while True:
        for row in body["results"]:
            seen.append(row["id"])
            last_name[row["id"]] = row["name"]
        pages += 1
        if pages in (2, 4, 6):
            # An officer edits a row the client has already seen and one it has not seen yet.
            already = next(pk for pk in seen if pk not in edited)
            ahead = next(pk for pk in sorted(expected - set(seen)) if pk not in edited)
            for pk in (already, ahead):
                name = f"改名{pages}-{pk}"
                services.person_update(user=officer, person=Person.objects.get(pk=pk), name=name)
                edited[pk] = name
        if not body["next"]:
            break
        body = page(client, body["next"])
    assert set(seen) == expected, "a row was missed"
    unedited = [pk for pk in seen if pk not in edited]
    assert len(unedited) == len(set(unedited)), "an unedited row came twice"
    for pk, name in edited.items():
        assert last_name[pk] == name, "an edited row did not come (again) with its edit"
    assert len(seen) == len(expected) + sum(1 for pk in edited if seen.count(pk) == 2)


def test_rows_sharing_one_timestamp_are_paged_by_id(api, officer, station_a) -> None:
    same = timezone.now() + dt.timedelta(seconds=-30)
    ids = list(Person.objects.filter(station=station_a).order_by("id").values_list("pk", flat=True)[:23])
    with pgtrigger.ignore("registry.Person:person_sync_clock"):  # as rows of one transaction would share it
        Person.objects.filter(pk__in=ids).update(updated_at=same)
    client = api(officer)
    got: list[int] = []
    body = page(client, URL, {"updated_since": same.isoformat(), "page_size": 4})
    while True:
        got += [r["id"] for r in body["results"] if r["id"] in ids]
        if not body["next"]:
            break
        body = page(client, body["next"])
    assert got == sorted(ids)


def test_the_sync_cursor_resumes_exactly_after_the_last_row(api, officer, person_a) -> None:
    client = api(officer)
    body = page(client, URL, {"page_size": 1000})
    while body["next"]:
        body = page(client, body["next"])
    resume = body["sync_cursor"]
    assert resume
    assert page(client, URL, {"cursor": resume})["results"] == []  # nothing new: nothing repeated
    services.person_update(user=officer, person=person_a, name="刚改的")
    after = page(client, URL, {"cursor": resume})
    assert [r["id"] for r in after["results"]] == [person_a.pk]
    assert page(client, URL, {"cursor": after["sync_cursor"]})["results"] == []


def test_previous_pages_walk_back(api, officer) -> None:
    client = api(officer)
    first = page(client, URL, {"page_size": 5})
    second = page(client, first["next"])
    back = page(client, second["previous"])
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]


def _raw_connection() -> psycopg2.extensions.connection:
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
        host=settings["HOST"], port=settings["PORT"] or 5432,
    )


def test_a_row_committed_late_with_an_older_timestamp_is_not_skipped(api, officer, station_a, person_a) -> None:
    """A long transaction writes P (updated_at = t1) but commits only after Q (t2 > t1) was written
    and synced. Without the horizon the client's cursor would pass t2 and P would never come."""
    client = api(officer)
    start = page(client, URL, {"page_size": 1000})
    while start["next"]:
        start = page(client, start["next"])
    cursor = start["sync_cursor"]
    late = _raw_connection()
    late_id = None
    try:
        with late.cursor() as cur:  # BEGIN (psycopg opens a transaction): write P, do not commit yet
            cur.execute(
                """INSERT INTO registry_person (national_id, name, gender, ethnicity, phone, hukou_place, category,
                       inflow_origin, outflow_destination, station_id, created_at, updated_at, deleted)
                   VALUES ('620102199901010031', '晚提交', 'M', '汉', '', '', 'permanent', '', '', %s, now(), now(), false)
                   RETURNING id""",
                [station_a.pk],
            )
            late_id = cur.fetchone()[0]
        # Meanwhile an officer edits Q, which commits at once (here: inside the test's transaction).
        services.person_update(user=officer, person=person_a, name="先提交")
        held = page(client, URL, {"cursor": cursor})
        assert [r["id"] for r in held["results"]] == [], "Q was served above the horizon of the open transaction"
        late.commit()
        resumed = page(client, URL, {"cursor": held["sync_cursor"]})
        assert [r["id"] for r in resumed["results"]] == [late_id, person_a.pk]
    finally:
        late.rollback()  # whatever is still open
        if late_id is not None:
            with late.cursor() as cur:
                cur.execute("DELETE FROM registry_person WHERE id = %s", [late_id])  # its audit events stay
            late.commit()
        late.close()


def test_updated_since_accepts_dates_and_offsets(api, officer) -> None:
    client = api(officer)
    assert page(client, URL, {"updated_since": "2000-01-01"})["results"]
    assert page(client, URL, {"updated_since": "2000-01-01T00:00:00+08:00"})["results"]
    assert page(client, URL, {"updated_since": (timezone.now() + dt.timedelta(days=1)).isoformat()})["results"] == []


@pytest.mark.parametrize(
    "bad", ["yesterday", "2025-02-30", "2025-01-31T08:00:00+99:00", "0001-01-01T00:00:00+08:00", "2025-01-31T08:00:00-22:53"]
)
def test_impossible_updated_since_is_a_clear_400(api, officer, bad: str) -> None:
    response = api(officer).get(URL, {"updated_since": bad})
    assert response.status_code == 400
    assert "updated_since" in response.json()


def test_a_date_time_filter_with_an_offset_the_database_cannot_store_is_a_clear_400(api, officer) -> None:
    response = api(officer).get("/api/v1/registry/units/", {"verified_before": "2025-10-03T20:30:18-22:53"})
    assert response.status_code == 400
    assert "verified_before" in response.json()
