"""The auditor searches and exports (CSV, streamed) the access log, the denied attempts and the
row-level change events; nobody else may; an auditor below the province sees only what their unit
allows; nothing the pages mask comes out unmasked."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from common.audit import audit_context
from registry.models import AccessLog, Person
from stations.choices import Role
from stations.models import DeniedAccess, Station, User

EXPORTS = ["/audit/export/access-log.csv", "/audit/export/denied.csv", "/audit/export/events.csv"]
PAGES = ["/audit/", "/audit/events/"]


def _csv(response: StreamingHttpResponse) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse), "exports stream"
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def county_auditor(db: None, officer_b: User) -> User:
    """An auditor bound to officer_b's county (not officer's)."""
    return User.objects.create(
        username="county_auditor", role=Role.AUDITOR, home_region=officer_b.home_station.county
    )


@pytest.mark.parametrize("url", EXPORTS + PAGES)
def test_only_auditors_may_search_and_export(
    url: str, client: Client, officer, station_head, county_staff, province_admin
) -> None:  # type: ignore[no-untyped-def]
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    for user in (officer, station_head, county_staff, province_admin):
        assert _client(user).get(url).status_code == 403, user.username


@pytest.mark.parametrize("url", EXPORTS + PAGES)
def test_the_auditor_and_superusers_may(url: str, auditor: User) -> None:
    superuser = User.objects.create(username="root_audit", is_superuser=True, role=Role.PROVINCE_STAFF)
    for user in (auditor, superuser):
        response = _client(user).get(url)
        assert response.status_code == 200, (user.username, url)
        if url in EXPORTS:
            assert _csv(response)[0], "a header row at least"


def test_the_denied_export_follows_the_pages_filters_and_jurisdiction(
    api, auditor, county_auditor, officer, officer_b
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = (
        Station.objects.exclude(county=officer_b.home_station.county)
        .exclude(pk=officer.home_station_id)
        .first()
    )
    api(officer_b).get(f"/api/v1/stations/{officer.home_station_id}/")  # denied, by officer_b
    api(officer).get(f"/api/v1/stations/{officer_b.home_station_id}/")  # denied, by officer
    assert elsewhere is not None
    rows = _csv(_client(auditor).get("/audit/export/denied.csv", {"outcome": "denied"}))
    users = {row[1] for row in rows[1:]}
    assert {"officer", "officer_b"} <= users
    rows = _csv(_client(auditor).get("/audit/export/denied.csv", {"username": "officer_b"}))
    assert {row[1] for row in rows[1:]} == {"officer_b"}
    assert [row[3:5] for row in rows[1:2]] == [["stations.station", str(officer.home_station_id)]]
    # The county's auditor sees the attempts of its county's users only.
    rows = _csv(_client(county_auditor).get("/audit/export/denied.csv"))
    assert "officer_b" in {row[1] for row in rows[1:]} and "officer" not in {row[1] for row in rows[1:]}


def test_the_access_log_export_never_holds_a_full_national_id(api, auditor, county_staff, officer) -> None:  # type: ignore[no-untyped-def]
    person = Person.objects.for_user(officer).exclude(national_id="").first()
    assert person is not None
    api(officer).get(
        "/api/v1/registry/lookup/person/", {"national_id": person.national_id, "purpose": "导出测试"}
    )
    row = AccessLog.objects.order_by("-id").first()
    assert row is not None and person.pk in row.person_ids
    response = _client(auditor).get("/audit/export/access-log.csv", {"national_id": person.national_id})
    rows = _csv(response)
    assert any(r[4] == str(person.pk) and r[5] == "导出测试" for r in rows[1:]), rows[:3]
    body = "\n".join(",".join(r) for r in rows)
    assert person.national_id not in body


def test_the_change_event_export_and_page_show_who_changed_what_and_never_the_data(auditor, officer) -> None:  # type: ignore[no-untyped-def]
    officer_client = _client(officer)
    person = Person.objects.for_user(officer).exclude(national_id="").first()
    assert person is not None
    # A change through the API, attributed to the officer by pghistory's context.
    response = officer_client.patch(
        f"/api/v1/registry/persons/{person.pk}/", {"phone": "13900001111"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content[:300]
    query = {"username": "officer", "table": "registry.Person", "operation": "update"}
    rows = _csv(_client(auditor).get("/audit/export/events.csv", query))
    mine = [r for r in rows[1:] if r[4] == str(person.pk)]
    assert mine and mine[0][1] == "officer" and mine[0][3] == "registry.Person" and mine[0][5] == "update"
    assert "/api/v1/registry/persons/" in mine[0][6]
    body = "\n".join(",".join(r) for r in rows)
    assert person.national_id not in body and "13900001111" not in body
    page = _client(auditor).get("/audit/events/", query)
    assert page.status_code == 200 and f"registry.Person #{person.pk}".encode() in page.content
    assert person.national_id.encode() not in page.content


def test_a_county_auditor_sees_changes_by_its_units_users_only(county_auditor, officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    for user in (officer, officer_b):
        with audit_context(user=user.pk, url="/test/"):
            Station.objects.filter(pk=user.home_station_id).update(name=f"{user.username} 改")
    Station.objects.filter(pk=officer_b.home_station_id).update(name="无人")  # no user: a task, say
    rows = _csv(_client(county_auditor).get("/audit/export/events.csv", {"table": "stations.Station"}))
    users = [row[1] for row in rows[1:]]
    assert "officer_b" in users and "officer" not in users
    assert "" not in users, "writes with no user are for province auditors only"


def test_exports_stream_in_chunks_without_counting(auditor: User, officer: User) -> None:
    DeniedAccess.objects.bulk_create(
        DeniedAccess(
            user=officer,
            station_id=officer.home_station_id,  # the row carries the user's unit: the auditor's scope
            region_id=officer.home_station.county_id,
            path="/x/",
            method="GET",
            model="stations.station",
            object_id=str(i),
            outcome="denied",
        )
        for i in range(4500)
    )
    client = _client(auditor)
    with CaptureQueriesContext(connection) as queries:
        rows = _csv(client.get("/audit/export/denied.csv", {"username": "officer"}))
    assert len(rows) - 1 >= 4500
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any("COUNT(" in q for q in sql)
    assert sum("STATIONS_DENIEDACCESS" in q for q in sql) <= 6, "keyset chunks, not one query per row"


def test_cells_that_would_run_as_formulas_are_defused(api, auditor: User, officer: User) -> None:  # type: ignore[no-untyped-def]
    DeniedAccess.objects.create(
        user=officer,
        station_id=officer.home_station_id,
        region_id=officer.home_station.county_id,
        path='=HYPERLINK("x")',
        method="GET",
        model="m",
        object_id="1",
        outcome="denied",
    )
    rows = _csv(_client(auditor).get("/audit/export/denied.csv", {"username": "officer"}))
    assert any(row[6] == '\'=HYPERLINK("x")' for row in rows[1:])


def test_the_auditor_reaches_the_audit_pages_and_exports_from_the_menu_and_the_logs(auditor: User, officer) -> None:  # type: ignore[no-untyped-def]
    client = _client(auditor)
    home = client.get("/").content.decode()
    assert 'href="/audit/"' in home
    assert 'href="/audit/"' not in _client(officer).get("/").content.decode()
    page = client.get("/registry/access-log/", {"before": "999999999"}).content.decode()
    assert 'href="/audit/export/access-log.csv' in page and "before=" not in page.split("export/access-log.csv")[1][:80]
    page = client.get("/audit/denied/").content.decode()
    assert 'href="/audit/export/denied.csv' in page


def test_the_day_filters_of_change_events_bound_the_local_day(auditor, officer) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from audit import selectors

    station = officer.home_station
    with audit_context(user=officer.pk, url="/test/day/"):
        Station.objects.filter(pk=station.pk).update(phone="0931-7654321")
    today = timezone.localdate()
    base = {"table": "stations.Station", "object_id": str(station.pk), "operation": "update"}

    def found(**days: dt.date) -> bool:
        rows = selectors.change_event_page(user=auditor, filters={**base, **days}, cursor=None, size=50)
        return any(row.via == "/test/day/" for row in rows)

    assert found(since=today, until=today)
    assert not found(until=today - dt.timedelta(days=1))
    assert not found(since=today + dt.timedelta(days=1))
