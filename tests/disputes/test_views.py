"""The disputes pages: every persona can use them, jurisdiction holds (404 outside), forms work
end to end, figures drill down, lists page without COUNT(*) in bounded queries, Chinese first."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from disputes import services
from disputes.choices import DisputeState as S
from disputes.models import Dispute, FollowUp, MediationSession
from stations.models import Region, Station, User

pytestmark = pytest.mark.django_db
PERSONAS = ["officer", "officer_b", "station_head", "county_staff", "city_staff", "province_admin", "auditor"]
PAGES = ["disputes:index", "disputes:board", "disputes:list", "disputes:figures"]


def client_for(user: User, language: str | None = "en") -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        attrs, body = match.groups()
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script: {body[:80]}"


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_pages_render_for_each_persona(request: pytest.FixtureRequest, name: str, page: str) -> None:
    response = client_for(request.getfixturevalue(name)).get(reverse(page))
    assert response.status_code == 200
    assert_csp_clean(response.content.decode())


@pytest.mark.parametrize("page", PAGES + ["disputes:create"])
def test_pages_need_sign_in(page: str) -> None:
    response = Client().get(reverse(page))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_landing_page_shows_attention_and_the_station(officer: User) -> None:
    response = client_for(officer).get(reverse("disputes:index"))
    html = response.content.decode()
    attention = response.context["attention"]
    assert attention.stale and attention.followups
    for dispute in attention.stale:
        assert reverse("disputes:detail", args=[dispute.pk]) in html
    counts = {c["key"]: c["count"] for c in response.context["by_state"]}
    assert (
        counts["screening"] == Dispute.objects.filter(station=officer.home_station, state=S.SCREENING).count()
    )


def test_the_section_speaks_chinese_by_default(officer: User) -> None:
    html = client_for(officer, language=None).get(reverse("disputes:index")).content.decode()
    assert "矛盾纠纷" in html and "需要关注" in html


def test_the_attention_panel_can_be_included_anywhere(officer: User) -> None:
    request = RequestFactory().get("/")
    request.user = officer
    html = Template("{% load disputes %}{% dispute_attention_panel %}").render(Context({"request": request}))
    assert "disputes-attention-title" in html


def test_the_board(officer: User, officer_b: User, county_staff: User) -> None:
    response = client_for(officer).get(reverse("disputes:board"))
    assert response.context["station"] == officer.home_station
    assert [c.key for c in response.context["columns"]] == [
        "screening",
        "mediating",
        "resolved",
        "escalated",
        "transferred",
    ]
    staff = client_for(county_staff).get(reverse("disputes:board"))
    assert staff.context["station"] is None and staff.context["stations"]
    picked = client_for(county_staff).get(reverse("disputes:board"), {"station": officer.home_station_id})
    assert picked.context["station"] == officer.home_station
    assert (
        client_for(officer_b).get(reverse("disputes:board"), {"station": officer.home_station_id}).status_code
        == 404
    )


def test_the_list_filters_and_pages_newest_first_without_count(
    county_staff: User, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    from disputes.views import DisputeListView

    monkeypatch.setattr(DisputeListView, "paginate_by", 7)
    client = client_for(county_staff)
    seen: list[int] = []
    url: str | None = reverse("disputes:list") + "?risk=high"
    while url:
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(12):
            response = client.get(url)
        assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
        rows = list(response.context["object_list"])
        assert all(d.risk == "high" for d in rows)
        seen += [d.pk for d in rows]
        cursor = response.context["page_obj"].next_cursor
        url = f"{reverse('disputes:list')}?risk=high&after={cursor}" if cursor else None
    expected = list(
        Dispute.objects.for_user(county_staff)
        .filter(risk="high")
        .order_by("-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected and len(seen) > 7


def test_the_dispute_page_and_its_jurisdiction(officer: User, officer_b: User, make_dispute: Any) -> None:
    dispute = make_dispute(officer)
    services.dispute_transition(dispute=dispute, to=S.MEDIATING, user=officer)
    response = client_for(officer).get(reverse("disputes:detail", args=[dispute.pk]))
    assert response.status_code == 200
    kinds = [
        (e["kind"], e["object"].to_state) for e in response.context["timeline"] if e["kind"] == "transition"
    ]
    assert kinds == [("transition", S.SCREENING), ("transition", S.MEDIATING)]
    assert_csp_clean(response.content.decode())
    for name in ("detail", "edit", "transition", "session_create", "followup_schedule", "party_add"):
        assert client_for(officer_b).get(reverse(f"disputes:{name}", args=[dispute.pk])).status_code == 404, (
            name
        )
    assert (
        client_for(officer_b)
        .post(reverse("disputes:transition", args=[dispute.pk]), {"to": S.RESOLVED})
        .status_code
        == 404
    )
    dispute.refresh_from_db()
    assert dispute.state == S.MEDIATING


def test_the_dispute_page_runs_a_fixed_number_of_queries(
    station_head: User, django_assert_max_num_queries: Any
) -> None:
    busiest = max(
        Dispute.objects.filter(station=station_head.home_station), key=lambda d: d.transitions.count()
    )
    assert busiest.transitions.count() >= 4
    client = client_for(station_head)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("disputes:detail", args=[busiest.pk])).status_code == 200


def test_recording_a_dispute_from_the_form(officer: User) -> None:
    client = client_for(officer)
    assert client.get(reverse("disputes:create")).status_code == 200
    data = {
        "title": "楼道堆物纠纷",
        "kind": "neighbour",
        "risk": "medium",
        "found_by": "walk_in",
        "found_on": str(timezone.localdate()),
        "reported_on": str(timezone.localdate()),
        "account": "两户因楼道堆物争吵。",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-role": "first",
        "parties-0-name": "刘一",
        "parties-0-phone": "13700001111",
        "parties-1-role": "second",
        "parties-1-name": "",
        "parties-1-phone": "",
    }
    response = client.post(reverse("disputes:create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    dispute = Dispute.objects.latest("id")
    assert response["Location"] == reverse("disputes:detail", args=[dispute.pk])
    assert (dispute.title, dispute.station_id, dispute.state) == (
        "楼道堆物纠纷",
        officer.home_station_id,
        S.SCREENING,
    )
    assert list(dispute.parties.values_list("name", flat=True)) == ["刘一"]

    bad = client.post(reverse("disputes:create"), {**data, "found_on": "2999-01-01"})
    assert bad.status_code == 200 and "found_on" in bad.context["form"].errors


def test_read_only_roles_get_no_forms(county_staff: User, officer: User, make_dispute: Any) -> None:
    dispute = make_dispute(officer)
    client = client_for(county_staff)
    assert client.get(reverse("disputes:create")).status_code == 403
    assert client.get(reverse("disputes:transition", args=[dispute.pk])).status_code == 403
    page = client.get(reverse("disputes:detail", args=[dispute.pk]))
    assert page.status_code == 200 and page.context["transition_form"] is None


def test_steps_from_the_page(officer: User, make_dispute: Any) -> None:
    dispute = make_dispute(officer)
    client = client_for(officer)
    url = reverse("disputes:transition", args=[dispute.pk])
    form = client.get(url).context["form"]
    assert {value for value, _ in form.fields["to"].choices} == {
        S.MEDIATING,
        S.RESOLVED,
        S.ESCALATED_CRIMINAL,
        S.ESCALATED_HOMICIDE,
        S.TRANSFERRED_COURT,
        S.TRANSFERRED_COMMITTEE,
        S.TRANSFERRED_DEPARTMENT,
    }
    refused = client.post(url, {"to": S.TRANSFERRED_COURT, "note": ""})  # a transfer needs a note
    assert refused.status_code == 200 and "note" in refused.context["form"].errors
    assert client.post(url, {"to": S.SCREENING}).context["form"].errors["to"]  # not offered, not accepted
    response = client.post(url, {"to": S.MEDIATING, "note": "约双方到警务室。"})
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == S.MEDIATING


def test_a_session_and_a_follow_up_from_the_pages(officer: User, make_dispute: Any) -> None:
    dispute = make_dispute(officer)
    client = client_for(officer)
    today = str(timezone.localdate())
    response = client.post(
        reverse("disputes:session_create", args=[dispute.pk]),
        {
            "held_on": today,
            "method": "at_room",
            "outcome": "agreement",
            "officer": officer.officer_id,
            "mediators": "治安户长",
            "note": "签订调解协议。",
            "resolve": "on",
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == S.RESOLVED and MediationSession.objects.filter(dispute=dispute).count() == 1
    followup = FollowUp.objects.filter(dispute=dispute).order_by("due_on").first()
    response = client.post(
        reverse("disputes:followup_record", args=[dispute.pk, followup.pk]),
        {
            "done_on": today,
            "outcome": "flared_up",
            "officer": officer.officer_id,
            "note": "再起冲突。",
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.state == S.MEDIATING  # reopened
    planned = client.post(reverse("disputes:followup_schedule", args=[dispute.pk]), {"due_on": today})
    assert planned.status_code == 200 and planned.context["form"].errors  # not resolved any more


def test_figures_drill_down_from_province_to_station(
    province_admin: User, officer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(province_admin)
    url = reverse("disputes:figures")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.context["unit"] == province_admin.home_region
    chart = json.loads(
        re.search(
            r'<script id="figures-data" type="application/json">(.*?)</script>',
            response.content.decode(),
            re.S,
        ).group(1)
    )
    assert len(chart["rows"]) == len(response.context["rows"]) > 0
    station = officer.home_station
    county = station.county
    city = Region.objects.get(pk=county.parent_id)
    for unit, child in ((province_admin.home_region, city), (city, county)):
        page = client.get(url, {"unit": f"region:{unit.pk}"})
        links = {
            item["row"].unit_id: item["url"]
            for item in page.context["rows"]
            if item["row"].unit_kind == "region"
        }
        assert child.pk in links
    page = client.get(url, {"unit": f"region:{county.pk}"})
    row = next(
        item
        for item in page.context["rows"]
        if item["row"].unit_kind == "station" and item["row"].unit_id == station.pk
    )
    assert (
        row["row"].this.found > 0 and row["row"].last.found > 0
    )  # two years of demo: this year against last
    leaf = client.get(row["url"])
    assert leaf.context["unit"] == station and leaf.context["rows"] == [] and leaf.context["list_url"]


def test_figures_of_a_unit_outside_the_jurisdiction_are_404(
    officer_b: User, officer: User, county_staff: User
) -> None:
    url = reverse("disputes:figures")
    assert client_for(officer_b).get(url, {"unit": f"station:{officer.home_station_id}"}).status_code == 404
    assert (
        client_for(county_staff).get(url, {"unit": f"station:{officer_b.home_station_id}"}).status_code == 404
    )
    assert client_for(county_staff).get(url, {"unit": "planet:1"}).status_code == 404
    own = client_for(officer).get(url)
    assert own.context["unit"] == officer.home_station


def test_the_default_period_is_this_year_to_date(county_staff: User) -> None:
    response = client_for(county_staff).get(reverse("disputes:figures"))
    period = response.context["period"]
    today = timezone.localdate()
    assert (period.first, period.last) == (dt.date(today.year, 1, 1), today.replace(day=1))
    odd = client_for(county_staff).get(reverse("disputes:figures"), {"year": "x", "from": "13", "to": "0"})
    assert odd.status_code == 200


def test_a_station_of_the_county_shows_in_its_figures(county_staff: User) -> None:
    county = county_staff.home_region
    response = client_for(county_staff).get(reverse("disputes:figures"))
    stations = {
        item["row"].unit_id for item in response.context["rows"] if item["row"].unit_kind == "station"
    }
    assert stations == set(Station.objects.filter(county=county).values_list("pk", flat=True))
