"""Sentiment reports (社情民意): the triage table, each step dated and attributed, only the station
head deciding, counts by category and unit, urgent ones on the home page of the station head and
county staff, and jurisdiction on the API and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from disputes import selectors
from disputes.choices import SentimentCategory, SentimentState, Urgency
from disputes.models import SentimentReport, SentimentStep
from disputes.sentiment import allowed_moves, sentiment_report_create, sentiment_triage, triage_error
from stations.models import User

pytestmark = pytest.mark.django_db
S = SentimentState
URL = "/api/v1/sentiment-reports/"


def _report(user: User, **fields: Any) -> SentimentReport:
    values: dict[str, Any] = {
        "station": user.home_station,
        "category": SentimentCategory.LABOUR,
        "title": "务工人员反映工资被拖欠",
        "account": "十余名务工人员反映工地拖欠三个月工资。",
        "reported_on": timezone.localdate(),
        "urgency": Urgency.ROUTINE,
    }
    values.update(fields)
    return sentiment_report_create(user=user, **values)


# --- the triage table ---------------------------------------------------------------------------


def test_the_triage_table() -> None:
    assert set(allowed_moves(S.PENDING)) == {S.LOCAL, S.PASSED, S.REPORTED_COUNTY, S.REPORTED_CITY, S.CLOSED}
    assert set(allowed_moves(S.REPORTED_COUNTY)) == {S.REPORTED_CITY, S.LOCAL, S.CLOSED}
    assert allowed_moves(S.CLOSED) == {}
    assert triage_error(S.PENDING, S.LOCAL) is None
    assert triage_error(S.LOCAL, S.PENDING)  # never back to waiting
    assert triage_error(S.CLOSED, S.LOCAL)
    assert triage_error(S.LOCAL, S.LOCAL)
    assert triage_error(S.REPORTED_CITY, S.REPORTED_COUNTY)  # the city does not hand down to the county
    assert triage_error(S.PENDING, "nowhere")
    # Every state can reach closed, and closed is reachable from pending in one step.
    for state in S.values:
        if state != S.CLOSED:
            assert S.CLOSED in allowed_moves(state)


# --- services -----------------------------------------------------------------------------------


def test_a_report_waits_for_a_decision_with_its_first_step(officer: User) -> None:
    report = _report(officer)
    assert report.state == S.PENDING and report.officer_id == officer.officer_id
    (step,) = report.steps.all()
    assert (step.from_state, step.to_state, step.user_id) == ("", S.PENDING, officer.pk)


def test_the_station_head_decides_each_step_dated_and_attributed(officer: User, station_head: User) -> None:
    report = _report(officer)
    with pytest.raises(PermissionDenied):
        sentiment_triage(user=officer, report=report, to=S.LOCAL)

    with pytest.raises(ValidationError) as error:
        sentiment_triage(user=station_head, report=report, to=S.PASSED)
    assert "department" in error.value.message_dict
    sentiment_triage(user=station_head, report=report, to=S.PASSED, department="人社部门", note="欠薪问题")
    report.refresh_from_db()
    assert (report.state, report.department) == (S.PASSED, "人社部门")

    with pytest.raises(ValidationError) as error:
        sentiment_triage(user=station_head, report=report, to=S.LOCAL)
    assert "note" in error.value.message_dict
    sentiment_triage(user=station_head, report=report, to=S.LOCAL, note="部门未受理，所里协调")
    sentiment_triage(user=station_head, report=report, to=S.CLOSED)
    report.refresh_from_db()
    assert report.state == S.CLOSED and report.closed_on == timezone.localdate()

    with pytest.raises(ValidationError) as error:
        sentiment_triage(user=station_head, report=report, to=S.LOCAL, note="again")
    assert "to" in error.value.message_dict

    steps = list(report.steps.order_by("at", "id"))
    assert [(s.from_state, s.to_state) for s in steps] == [
        ("", S.PENDING),
        (S.PENDING, S.PASSED),
        (S.PASSED, S.LOCAL),
        (S.LOCAL, S.CLOSED),
    ]
    assert all(s.user_id == station_head.pk for s in steps[1:])
    assert steps[1].department == "人社部门"
    assert [s.at for s in steps] == sorted(s.at for s in steps)


def test_steps_cannot_be_dated_in_the_future_or_before_the_last_one(
    officer: User, station_head: User
) -> None:
    report = _report(officer)
    first = report.steps.get().at
    for at in (timezone.now() + dt.timedelta(days=1), first - dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            sentiment_triage(user=station_head, report=report, to=S.LOCAL, at=at)
        assert "at" in error.value.message_dict
    assert SentimentReport.objects.get(pk=report.pk).state == S.PENDING
    assert report.steps.count() == 1


def test_a_report_outside_jurisdiction_is_not_found(officer_b: User, station_head: User) -> None:
    report = _report(officer_b)
    with pytest.raises(Exception) as error:
        sentiment_triage(user=station_head, report=report, to=S.LOCAL)
    assert error.type.__name__ == "OutOfScope"
    assert SentimentReport.objects.get(pk=report.pk).state == S.PENDING


def test_bad_input_saves_nothing(officer: User) -> None:
    before = (SentimentReport.objects.count(), SentimentStep.objects.count())
    with pytest.raises(ValidationError) as error:
        _report(officer, reported_on=timezone.localdate() + dt.timedelta(days=3), account="")
    assert {"reported_on", "account"} <= set(error.value.message_dict)
    assert (SentimentReport.objects.count(), SentimentStep.objects.count()) == before


# --- counts and attention -----------------------------------------------------------------------


def test_counts_by_category_and_unit(
    officer: User, officer_b: User, station_head: User, county_staff: User
) -> None:
    day = timezone.localdate() - dt.timedelta(days=400)  # before any demo report
    for category in (SentimentCategory.SAFETY, SentimentCategory.SAFETY, SentimentCategory.LABOUR):
        _report(officer, category=category, reported_on=day)
    _report(officer_b, category=SentimentCategory.SAFETY, reported_on=day)

    counts = selectors.sentiment_counts(user=station_head, since=day, until=day)
    assert counts.total == 3 and counts.pending == 3
    (row,) = counts.rows
    assert row["id"] == officer.home_station_id
    assert row["counts"][SentimentCategory.SAFETY] == 2 and row["counts"][SentimentCategory.LABOUR] == 1
    assert row["total"] == 3
    assert counts.by_category[SentimentCategory.SAFETY] == 2
    assert sum(row["cells"]) == row["total"]

    decided = SentimentReport.objects.filter(station=officer.home_station, reported_on=day).first()
    sentiment_triage(user=station_head, report=decided, to=S.LOCAL)
    assert selectors.sentiment_counts(user=station_head, since=day, until=day).pending == 2

    by_county = selectors.sentiment_counts(user=county_staff, since=day, until=day, by="county")
    assert [(r["id"], r["total"]) for r in by_county.rows] == [(officer.home_station.county_id, 3)]


def test_urgent_reports_surface_for_the_station_head_and_county_staff(
    client: Any, officer: User, station_head: User, county_staff: User
) -> None:
    urgent = _report(officer, urgency=Urgency.URGENT, title="群众聚集反映征地补偿")
    waiting = _report(officer, title="小区供暖不足")
    up = _report(officer, title="跨县水源纠纷")
    sentiment_triage(user=station_head, report=up, to=S.REPORTED_COUNTY, note="涉及两县")

    head = selectors.sentiment_attention(user=station_head, limit=100)
    assert head is not None
    assert urgent in head.urgent and waiting in head.waiting and up not in head.waiting
    county = selectors.sentiment_attention(user=county_staff, limit=100)
    assert county is not None
    assert urgent in county.urgent and up in county.waiting and waiting not in county.waiting
    assert selectors.sentiment_attention(user=officer) is None

    client.force_login(station_head)
    page = client.get("/").content.decode()
    assert "群众聚集反映征地补偿" in page and f"/disputes/sentiment/{urgent.pk}/" in page
    client.force_login(county_staff)
    assert "跨县水源纠纷" in client.get("/").content.decode()
    client.force_login(officer)
    assert f"/disputes/sentiment/{urgent.pk}/" not in client.get("/").content.decode()


def test_attention_queries_are_bounded(station_head: User, django_assert_num_queries: Any) -> None:
    for _ in range(3):
        _report(station_head, urgency=Urgency.URGENT)
    with django_assert_num_queries(2):
        attention = selectors.sentiment_attention(user=station_head, limit=2)
    assert attention is not None and len(attention.urgent) == 2 and attention.urgent_more


# --- API ----------------------------------------------------------------------------------------


def test_api_records_and_triages_under_jurisdiction(
    api: Any, officer: User, officer_b: User, station_head: User
) -> None:
    response = api(officer).post(
        URL,
        {
            "category": "safety",
            "urgency": "urgent",
            "title": "夜间有人聚集滋事",
            "account": "群众反映广场夜间有人聚集滋事。",
            "reported_on": timezone.localdate().isoformat(),
            "place": "中心广场",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == S.PENDING and body["station"] == officer.home_station_id
    assert set(body["allowed_transitions"]) == set(allowed_moves(S.PENDING))
    url = f"{URL}{body['id']}/"
    assert api(officer_b).get(url).status_code == 404
    assert api(officer_b).post(f"{url}triage/", {"to": "local"}, format="json").status_code == 404
    assert body["id"] not in {r["id"] for r in api(officer_b).get(URL, {"page_size": 1000}).json()["results"]}
    assert body["id"] in {r["id"] for r in api(officer).get(URL, {"page_size": 1000}).json()["results"]}

    assert api(officer).post(f"{url}triage/", {"to": "local"}, format="json").status_code == 403
    bad = api(station_head).post(f"{url}triage/", {"to": "pending"}, format="json")
    assert bad.status_code == 400 and "to" in bad.json()
    ok = api(station_head).post(
        f"{url}triage/", {"to": "reported_county", "note": "需县局协调"}, format="json"
    )
    assert ok.status_code == 200, ok.content
    assert (ok.json()["from_state"], ok.json()["to_state"], ok.json()["user"]) == (
        S.PENDING,
        S.REPORTED_COUNTY,
        station_head.username,
    )
    assert api(officer).get(url).json()["state"] == S.REPORTED_COUNTY


def test_api_bad_input_is_a_clear_400(api: Any, officer: User) -> None:
    before = SentimentReport.objects.count()
    response = api(officer).post(
        URL, {"category": "gossip", "title": "", "reported_on": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert {"category", "title", "account"} <= set(response.json())
    response = api(officer).post(
        URL,
        {"category": "safety", "title": "x", "account": "y", "reported_on": "2999-01-01"},
        format="json",
    )
    assert response.status_code == 400 and "reported_on" in response.json()
    assert SentimentReport.objects.count() == before


# --- pages --------------------------------------------------------------------------------------


def test_pages_record_a_report_and_the_head_decides(
    client: Any, officer: User, station_head: User, officer_b: User
) -> None:
    client.force_login(officer)
    response = client.post(
        "/disputes/sentiment/new/",
        {
            "title": "学校门口交通拥堵",
            "category": "traffic",
            "urgency": "prompt",
            "reporter_kind": "officer",
            "officer": officer.officer_id,
            "reported_on": timezone.localdate().isoformat(),
            "account": "上下学时段车辆乱停。",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    report = SentimentReport.objects.get(title="学校门口交通拥堵")
    detail = client.get(response.url).content.decode()
    assert "学校门口交通拥堵" in detail and 'name="to"' not in detail  # officers do not decide
    assert client.post(response.url, {"to": "local"}).status_code == 403

    client.force_login(station_head)
    assert 'name="to"' in client.get(response.url).content.decode()
    assert client.post(response.url, {"to": "passed"}).status_code == 200  # department missing
    assert SentimentReport.objects.get(pk=report.pk).state == S.PENDING
    assert client.post(response.url, {"to": "passed", "department": "交通运输部门"}).status_code == 302
    assert SentimentReport.objects.get(pk=report.pk).state == S.PASSED

    listing = client.get("/disputes/sentiment/", {"category": "traffic"}).content.decode()
    assert f"/disputes/sentiment/{report.pk}/" in listing
    counts = client.get("/disputes/sentiment/counts/", {"since": "2026-13-40"})
    assert counts.status_code == 200

    client.force_login(officer_b)
    assert client.get(response.url).status_code == 404
    assert f"/disputes/sentiment/{report.pk}/" not in client.get("/disputes/sentiment/").content.decode()
