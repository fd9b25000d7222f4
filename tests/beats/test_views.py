"""The community-policing pages: every persona can open them, jurisdiction holds (404 outside),
lists page by keyset in a bounded number of queries, the station head manages through the forms,
officers cannot, and the pages follow the content security policy."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beats.choices import ActivityStatus, EightNo
from beats.models import (
    Beat,
    CheckIn,
    CheckInPolicy,
    Community,
    EightNosBreach,
    HouseholdHead,
    HouseholdHeadActivity,
)
from stations.models import User

pytestmark = pytest.mark.django_db

PERSONAS = ["officer", "officer_b", "station_head", "county_staff", "city_staff", "province_admin", "auditor"]
LISTS = [
    "beats:index", "beats:beat_list", "beats:room_list", "beats:checkin", "beats:checkin_list", "beats:compliance",
    "beats:policy", "beats:community_list", "beats:head_list", "beats:activity_list",
]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        attrs, body = match.groups()
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script: {body[:80]}"


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("page", LISTS)
def test_pages_render_for_each_persona(request: pytest.FixtureRequest, name: str, page: str) -> None:
    response = client_for(request.getfixturevalue(name)).get(reverse(page))
    assert response.status_code == 200
    assert_csp_clean(response.content.decode())


def test_pages_need_sign_in() -> None:
    for page in LISTS:
        response = Client().get(reverse(page))
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    ("page", "model"),
    [("beats:beat_detail", Beat), ("beats:community_detail", Community), ("beats:head_detail", HouseholdHead)],
)
def test_detail_pages_are_404_outside_the_jurisdiction(officer: User, officer_b: User, page: str, model: Any) -> None:
    obj = model.objects.for_user(officer).first()
    assert client_for(officer).get(reverse(page, args=[obj.pk])).status_code == 200
    assert client_for(officer_b).get(reverse(page, args=[obj.pk])).status_code == 404


def test_lists_hide_other_stations(officer: User, officer_b: User) -> None:
    beat = Beat.objects.for_user(officer).first()
    html = client_for(officer_b).get(reverse("beats:beat_list")).content.decode()
    assert reverse("beats:beat_detail", args=[beat.pk]) not in html
    assert client_for(officer_b).get(reverse("beats:index"), {"unit": f"station:{officer.home_station_id}"}).status_code == 404


@pytest.mark.parametrize(
    ("page", "limit"),
    [
        ("beats:index", 20), ("beats:beat_list", 12), ("beats:room_list", 12), ("beats:checkin_list", 12),
        ("beats:community_list", 13), ("beats:head_list", 12), ("beats:activity_list", 12), ("beats:compliance", 14),
        ("beats:checkin", 14),
    ],
)
def test_pages_run_a_bounded_number_of_queries(
    officer: User, province_admin: User, page: str, limit: int, django_assert_max_num_queries  # type: ignore[no-untyped-def]
) -> None:
    for user in (officer, province_admin):
        client = client_for(user)
        client.get(reverse(page))  # warm the session and caches
        with django_assert_max_num_queries(limit):
            response = client.get(reverse(page))
        assert response.status_code == 200


def test_list_pages_never_count_the_table(province_admin: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(province_admin)
    for page in ("beats:beat_list", "beats:checkin_list", "beats:head_list", "beats:activity_list"):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(page))
        assert not [q for q in queries if "COUNT(" in q["sql"].upper()], page


def test_beat_page_draws_boundary_and_check_ins(officer: User, my_beat: Beat, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    client.get(reverse("beats:beat_detail", args=[my_beat.pk]))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("beats:beat_detail", args=[my_beat.pk]))
    html = response.content.decode()
    assert 'id="beat-chart"' in html and "beats/beat.js" in html and "vendor/echarts.min.js" in html
    data = json.loads(re.search(r'<script id="beat-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert data["boundary"] == my_beat.boundary
    since = timezone.localdate() - timezone.timedelta(days=30)
    assert len(data["check_ins"]) == CheckIn.objects.filter(beat=my_beat, day__gte=since).count() > 0
    assert {"lon", "lat", "inside", "counts", "flags"} <= set(data["check_ins"][0])


def test_check_in_page_for_an_officer_and_for_others(officer: User, county_staff: User, my_beat: Beat) -> None:
    html = client_for(officer).get(reverse("beats:checkin")).content.decode()
    assert my_beat.name in html
    assert 'id="checkin-button"' in html and "beats/checkin.js" in html
    assert 'name="csrfmiddlewaretoken"' in html
    page = json.loads(re.search(r'<script id="checkin-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert page["api_url"] == "/api/v1/check-ins/"
    html = client_for(county_staff).get(reverse("beats:checkin")).content.decode()
    assert 'id="checkin-button"' not in html


def test_overview_drills_down_from_the_province(province_admin: User, officer: User) -> None:
    client = client_for(province_admin)
    html = client.get(reverse("beats:index")).content.decode()
    county = officer.home_station.county
    assert "counts-table" in html
    response = client.get(reverse("beats:index"), {"unit": f"region:{county.pk}"})
    assert officer.home_station.name in response.content.decode()
    station_page = client.get(reverse("beats:index"), {"unit": f"station:{officer.home_station_id}"})
    assert station_page.context["total"].beats == Beat.objects.filter(station=officer.home_station).count()
    assert client.get(reverse("beats:index"), {"unit": "region:abc"}).status_code == 404


def test_compliance_page_lists_the_station_officers(station_head: User, officer: User, city_staff: User) -> None:
    response = client_for(station_head).get(reverse("beats:compliance"))
    assert officer.officer.name in response.content.decode()
    assert any(row.officer_id == officer.officer_id for row in response.context["rows"])
    response = client_for(city_staff).get(reverse("beats:compliance"))
    assert response.context["summaries"] and response.context["rows"] == []


# --- managing through the pages ----------------------------------------------------------------------------------


def test_station_head_changes_a_beats_officer(station_head: User, officer: User, my_beat: Beat) -> None:
    response = client_for(station_head).post(
        reverse("beats:beat_assign", args=[my_beat.pk]), {"officer": "", "start": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    my_beat.refresh_from_db()
    assert my_beat.officer is None


def test_officer_cannot_manage_through_the_pages(officer: User, my_beat: Beat) -> None:
    client = client_for(officer)
    assert client.post(reverse("beats:beat_assign", args=[my_beat.pk]), {"officer": ""}).status_code == 403
    assert client.get(reverse("beats:room_create")).status_code == 403
    assert client.get(reverse("beats:head_create")).status_code == 403
    my_beat.refresh_from_db()
    assert my_beat.officer == officer.officer


def test_station_head_records_a_breach_on_the_community_page(station_head: User) -> None:
    community = Community.objects.for_user(station_head).first()
    client = client_for(station_head)
    html = client.get(reverse("beats:community_detail", args=[community.pk])).content.decode()
    assert 'id="eight-nos"' in html or "No eight-nos standing" in html
    response = client.post(
        reverse("beats:breach_create", args=[community.pk]),
        {"item": EightNo.DRUGS, "occurred_on": timezone.localdate().isoformat(), "description": "吸毒人员"},
    )
    assert response.status_code == 302
    assert EightNosBreach.objects.filter(community=community, item=EightNo.DRUGS, description="吸毒人员").exists()
    html = client.get(response["Location"]).content.decode()
    assert 'data-item="drugs" data-held="false"' in html


def test_station_head_appoints_a_head_and_officer_enters_an_activity(station_head: User, officer: User) -> None:
    community = Community.objects.for_user(station_head).first()
    response = client_for(station_head).post(reverse("beats:head_create"), {
        "national_id": "62010219900307123X", "name": "王五", "phone": "13812345678", "community": community.pk,
        "source": "village_head", "appointed_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    head = HouseholdHead.objects.get(national_id="62010219900307123X")
    response = client_for(officer).post(reverse("beats:activity_create"), {
        "head": head.pk, "kind": "joint_patrol", "occurred_on": timezone.localdate().isoformat(), "description": "巡逻",
    })
    assert response.status_code == 302
    activity = HouseholdHeadActivity.objects.get(head=head)
    assert activity.status == ActivityStatus.REPORTED and activity.reported_by == officer
    response = client_for(station_head).post(reverse("beats:activity_decide", args=[activity.pk]), {"confirm": "1"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED


def test_invalid_head_form_shows_the_errors(station_head: User) -> None:
    community = Community.objects.for_user(station_head).first()
    response = client_for(station_head).post(reverse("beats:head_create"), {
        "national_id": "620102199003071234", "name": "王五", "community": community.pk, "source": "village_head",
        "appointed_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"]


def test_head_list_masks_ids_above_the_station(county_staff: User, officer: User) -> None:
    head = HouseholdHead.objects.for_user(officer).first()
    assert head.national_id in client_for(officer).get(reverse("beats:head_list")).content.decode()
    html = client_for(county_staff).get(reverse("beats:head_list"), {"station": officer.home_station_id}).content.decode()
    assert head.national_id not in html
    assert head.national_id[:6] + "********" + head.national_id[-4:] in html


def test_province_staff_set_the_check_in_policy(province_admin: User, station_head: User) -> None:
    month = timezone.localdate().replace(day=1)
    payload = {"effective_from": f"{month:%Y-%m}", "days_required": 22, "max_accuracy_m": 80, "max_speed_kmh": 120,
               "max_jump_km": 40, "max_device_age_minutes": 5, "note": "从严"}
    assert client_for(station_head).post(reverse("beats:policy"), payload).status_code == 403
    response = client_for(province_admin).post(reverse("beats:policy"), payload)
    assert response.status_code == 302
    policy = CheckInPolicy.objects.get(effective_from=month)
    assert policy.days_required == 22 and policy.set_by == province_admin
    html = client_for(station_head).get(reverse("beats:compliance")).content.decode()
    assert "22" in html


def test_flagged_check_in_reviewed_from_the_list(station_head: User, officer: User) -> None:
    flagged = CheckIn.objects.filter(officer=officer.officer, review="").exclude(flags=[]).first()
    client = client_for(station_head)
    html = client.get(reverse("beats:checkin_list"), {"flagged": "true"}).content.decode()
    assert reverse("beats:checkin_review", args=[flagged.pk]) in html
    response = client.post(reverse("beats:checkin_review", args=[flagged.pk]), {"accepted": "1", "next": "/beats/check-ins/"})
    assert response.status_code == 302 and response["Location"] == "/beats/check-ins/"
    flagged.refresh_from_db()
    assert flagged.counts and flagged.review == "accepted"


def test_check_ins_page_newest_first_by_keyset(province_admin: User) -> None:
    client = client_for(province_admin)
    first = client.get(reverse("beats:checkin_list"))
    page = first.context["page_obj"]
    rows = list(first.context["object_list"])
    assert len(rows) == 50 and page.next_cursor
    assert [c.at for c in rows] == sorted((c.at for c in rows), reverse=True)
    assert rows[0].at == CheckIn.objects.order_by("-at").first().at
    second = list(client.get(reverse("beats:checkin_list"), {"after": page.next_cursor}).context["object_list"])
    assert second and not {c.pk for c in rows} & {c.pk for c in second}
    assert max(c.at for c in second) <= min(c.at for c in rows)
