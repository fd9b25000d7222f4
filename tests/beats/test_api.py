"""The beats API: the check-in contract (POST lat/lon/accuracy → 201 with inside_beat and flags;
400 field → messages), jurisdiction (404 outside, never in lists), roles (403), no mass assignment,
writes through services, masking, and list query counts that do not grow with the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from beats.choices import ActivityStatus, CheckInFlag
from beats.models import (
    Beat,
    CheckIn,
    Community,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    PoliceRoom,
)
from stations.models import User
from tests.beats.conftest import point_inside, point_outside

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], APIClient]
COLLECTIONS = {
    "beats": Beat,
    "police-rooms": PoliceRoom,
    "check-ins": CheckIn,
    "communities": Community,
    "household-heads": HouseholdHead,
    "household-head-activities": HouseholdHeadActivity,
}


def url(collection: str, pk: int | None = None, action: str | None = None) -> str:
    path = f"/api/v1/{collection}/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path


def own_object(model: Any, officer: User) -> Any:
    return model.objects.for_user(officer).order_by("pk").first()


# --- check-in contract ----------------------------------------------------------------------------------


def test_check_in_inside_answers_201_with_inside_beat_and_no_flags(api: Api, officer: User, my_beat: Beat) -> None:
    lon, lat = point_inside(my_beat)
    response = api(officer).post(url("check-ins"), {"lat": lat, "lon": lon, "accuracy": 12.5}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["inside_beat"] is True
    assert body["flags"] == []
    assert body["officer"] == officer.officer_id and body["beat"] == my_beat.pk
    assert CheckIn.objects.get(pk=body["id"]).counts


def test_check_in_outside_is_201_with_the_flag(api: Api, officer: User, my_beat: Beat) -> None:
    lon, lat = point_outside(my_beat)
    response = api(officer).post(url("check-ins"), {"lat": lat, "lon": lon, "accuracy": 900}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["inside_beat"] is False
    assert set(body["flags"]) >= {CheckInFlag.OUTSIDE_BEAT, CheckInFlag.POOR_ACCURACY}
    assert body["counts"] is False


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"lat": 95, "lon": 103.8, "accuracy": 10}, {"lat"}),
        ({"lat": 36, "lon": 200, "accuracy": -1}, {"lon", "accuracy"}),
        ({"lat": "north", "lon": 103.8}, {"lat", "accuracy"}),
        ({"lat": 36, "lon": 103.8, "accuracy": 10, "device_time": "yesterday"}, {"device_time"}),
        ({"lat": 36, "lon": 103.8, "accuracy": 10, "device_time": "0122-12-08T03:21:53+08:00"}, {"device_time"}),
        ({"lat": 36, "lon": 103.8, "accuracy": 10, "device_time": "2999-01-01T00:00:00Z"}, {"device_time"}),
    ],
)
def test_invalid_check_in_is_400_with_field_messages(api: Api, officer: User, payload: dict, fields: set) -> None:
    before = CheckIn.objects.count()
    response = api(officer).post(url("check-ins"), payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == fields
    assert all(isinstance(messages, list) and messages for messages in body.values())
    assert CheckIn.objects.count() == before


def test_the_client_cannot_choose_officer_beat_or_station(
    api: Api, officer: User, officer_b: User, my_beat: Beat, b_beat: Beat
) -> None:
    lon, lat = point_inside(my_beat)
    response = api(officer).post(
        url("check-ins"),
        {"lat": lat, "lon": lon, "accuracy": 10, "officer": officer_b.officer_id, "beat": b_beat.pk,
         "station": b_beat.station_id, "inside_beat": False, "counts": False, "flags": ["stale"], "review": "accepted"},
        format="json",
    )
    assert response.status_code == 201
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert (check_in.officer_id, check_in.beat_id, check_in.station_id) == (
        officer.officer_id, my_beat.pk, my_beat.station_id
    )
    assert check_in.inside_beat and check_in.flags == [] and check_in.review == ""


def test_only_users_linked_to_an_officer_with_a_beat_check_in(
    api: Api, county_staff: User, province_admin: User, station_head: User
) -> None:
    payload = {"lat": 36, "lon": 103.8, "accuracy": 10}
    assert api(county_staff).post(url("check-ins"), payload, format="json").status_code == 403  # a reading role
    assert api(province_admin).post(url("check-ins"), payload, format="json").status_code == 403  # no officer
    response = api(station_head).post(url("check-ins"), payload, format="json")  # an officer without a beat
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_anonymous_is_401(api: Api) -> None:
    assert api(None).post(url("check-ins"), {"lat": 36, "lon": 103.8, "accuracy": 10}, format="json").status_code == 401
    for collection in COLLECTIONS:
        assert api(None).get(url(collection)).status_code == 401


def test_check_ins_are_never_changed_or_deleted(api: Api, officer: User, station_head: User) -> None:
    check_in = own_object(CheckIn, officer)
    for user in (officer, station_head):
        client = api(user)
        assert client.patch(url("check-ins", check_in.pk), {"lat": 0}, format="json").status_code == 405
        assert client.delete(url("check-ins", check_in.pk)).status_code == 405


def test_the_station_reviews_a_flagged_check_in(api: Api, officer: User, station_head: User, officer_b: User) -> None:
    flagged = CheckIn.objects.filter(officer=officer.officer, review="").exclude(flags=[]).first()
    assert flagged is not None
    assert api(officer).post(url("check-ins", flagged.pk, "review"), {"accepted": True}, format="json").status_code == 403
    assert api(officer_b).post(url("check-ins", flagged.pk, "review"), {"accepted": True}, format="json").status_code == 404
    response = api(station_head).post(url("check-ins", flagged.pk, "review"), {"accepted": True, "note": "山区信号差"}, format="json")
    assert response.status_code == 200
    assert response.json()["counts"] is True and response.json()["review"] == "accepted"


def test_compliance_for_a_month(api: Api, station_head: User, officer: User, officer_b: User) -> None:
    month = timezone.localdate().strftime("%Y-%m")
    response = api(station_head).get(url("check-ins", action="compliance"), {"month": month})
    assert response.status_code == 200
    rows = {row["officer"]: row for row in response.json()}
    assert officer.officer_id in rows
    assert officer_b.officer_id not in rows
    assert set(rows[officer.officer_id]) == {"officer", "officer_name", "station", "beat", "days_checked", "days_required", "met"}
    bad = api(station_head).get(url("check-ins", action="compliance"), {"month": "2026-13"})
    assert bad.status_code == 400 and "month" in bad.json()
    outside = api(station_head).get(url("check-ins", action="compliance"), {"station": officer_b.home_station_id})
    assert outside.status_code == 400 and "station" in outside.json()


# --- jurisdiction ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_officer_b_gets_404_and_does_not_see_officers_objects(
    api: Api, officer: User, officer_b: User, collection: str
) -> None:
    obj = own_object(COLLECTIONS[collection], officer)
    assert obj is not None, f"no {collection} at the officer's station in the tiny demo"
    assert api(officer).get(url(collection, obj.pk)).status_code == 200
    assert api(officer_b).get(url(collection, obj.pk)).status_code == 404
    ids = {row["id"] for row in api(officer_b).get(url(collection), {"page_size": 1000}).json()["results"]}
    assert obj.pk not in ids
    assert ids, f"officer_b sees none of their own {collection}"


@pytest.mark.parametrize(
    ("collection", "action", "payload"),
    [
        ("beats", "assign", {"officer": None}),
        ("communities", "breaches", {"item": "drugs", "occurred_on": "2026-01-02", "description": "x"}),
        ("communities", "certify", {"year": 2026, "on": "2026-01-02"}),
        ("household-heads", "end", {"on": "2026-01-02"}),
        ("household-head-activities", "decide", {"confirm": True}),
    ],
)
def test_actions_on_objects_outside_the_jurisdiction_are_404(
    api: Api, officer: User, officer_b: User, collection: str, action: str, payload: dict
) -> None:
    model = COLLECTIONS[collection]
    obj = own_object(model, officer)
    before = model.objects.filter(pk=obj.pk).values().first()
    head_b = User.objects.create_user("head_b", role="station_head", home_station=officer_b.home_station)
    for user in (officer_b, head_b):
        assert api(user).post(url(collection, obj.pk, action), payload, format="json").status_code == 404
    assert model.objects.filter(pk=obj.pk).values().first() == before


def test_a_filter_cannot_probe_another_station(api: Api, officer_b: User, officer: User) -> None:
    response = api(officer_b).get(url("beats"), {"station": officer.home_station_id})
    assert response.status_code == 400
    assert "station" in response.json()


# --- roles and writes ------------------------------------------------------------------------------------------


def test_station_head_opens_a_room_and_cannot_place_it_elsewhere(
    api: Api, station_head: User, my_beat: Beat, b_beat: Beat, officer: User
) -> None:
    payload = {"code": "API-R1", "name": "接口警务室", "kind": "urban", "beat": my_beat.pk,
               "named_after": officer.officer_id, "station": b_beat.station_id}
    response = api(station_head).post(url("police-rooms"), payload, format="json")
    assert response.status_code == 201, response.content
    room = PoliceRoom.objects.get(pk=response.json()["id"])
    assert room.station_id == my_beat.station_id  # from the beat, never from the client
    assert response.json()["is_named_after_officer"] is True

    response = api(station_head).post(url("police-rooms"), {**payload, "code": "API-R2", "beat": b_beat.pk}, format="json")
    assert response.status_code == 400 and "beat" in response.json()

    response = api(station_head).patch(url("police-rooms", room.pk), {"station": b_beat.station_id, "opening_hours": "全天"}, format="json")
    assert response.status_code == 200
    room.refresh_from_db()
    assert room.station_id == my_beat.station_id and room.opening_hours == "全天"


def test_officers_and_county_staff_cannot_manage(api: Api, officer: User, county_staff: User, my_beat: Beat) -> None:
    room = own_object(PoliceRoom, officer)
    for user in (officer, county_staff):
        client = api(user)
        assert client.post(url("police-rooms"), {"code": "X", "name": "x", "beat": my_beat.pk}, format="json").status_code == 403
        assert client.patch(url("police-rooms", room.pk), {"name": "x"}, format="json").status_code == 403
        assert client.post(url("beats", my_beat.pk, "assign"), {"officer": None}, format="json").status_code == 403
    assert api(officer).delete(url("police-rooms", room.pk)).status_code == 405


def test_station_head_assigns_a_beat_through_the_api(api: Api, station_head: User, officer: User, my_beat: Beat) -> None:
    response = api(station_head).post(url("beats", my_beat.pk, "assign"), {"officer": None}, format="json")
    assert response.status_code == 200
    assert response.json()["officer"] is None
    response = api(station_head).post(
        url("beats", my_beat.pk, "assign"), {"officer": officer.officer_id, "full_time": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["officer"] == officer.officer_id


def test_eight_nos_breach_and_certification(api: Api, station_head: User) -> None:
    year = timezone.localdate().year
    status = (
        EightNosStatus.objects.filter(community__station=station_head.home_station, year=year, certified_on__isnull=True)
        .filter(no_homicide=True, no_gangs=True, no_telecom_fraud=True, no_drugs=True, no_cults=True,
                no_pyramid_selling=True, no_public_safety_disasters=True, no_mass_incidents=True)
        .first()
    )
    assert status is not None
    client = api(station_head)
    today = timezone.localdate().isoformat()
    response = client.post(url("communities", status.community_id, "certify"), {"year": year, "on": today}, format="json")
    assert response.status_code == 200 and response.json()["certified_on"] == today
    response = client.post(
        url("communities", status.community_id, "breaches"),
        {"item": "homicide", "occurred_on": today, "description": "命案", "case_number": "A1"}, format="json",
    )
    assert response.status_code == 201
    detail = client.get(url("communities", status.community_id)).json()
    this_year = next(s for s in detail["eight_nos"] if s["year"] == year)
    assert this_year["no_homicide"] is False and this_year["holds_first_four"] is False
    assert this_year["certified_on"] is None
    assert detail["breaches"][0]["item"] == "homicide"
    response = client.post(url("communities", status.community_id, "certify"), {"year": year, "on": today}, format="json")
    assert response.status_code == 400


def test_household_heads_masked_above_the_station(api: Api, officer: User, county_staff: User) -> None:
    head = own_object(HouseholdHead, officer)
    plain = api(officer).get(url("household-heads", head.pk)).json()
    assert plain["national_id"] == head.national_id
    masked = api(county_staff).get(url("household-heads", head.pk)).json()
    assert masked["national_id"] == head.national_id[:6] + "********" + head.national_id[-4:]
    assert masked["phone"] == head.phone[:3] + "****" + head.phone[-4:]


def test_household_head_appointment_validates_the_national_id(api: Api, station_head: User) -> None:
    community = own_object(Community, station_head)
    client = api(station_head)
    payload = {"national_id": "620102199003071234", "name": "李四", "community": community.pk,
               "appointed_on": timezone.localdate().isoformat(), "source": "team_leader"}
    response = client.post(url("household-heads"), payload, format="json")
    assert response.status_code == 400 and "national_id" in response.json()
    response = client.post(url("household-heads"), {**payload, "national_id": "62010219900307123X"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["station"] == community.station_id and body["is_active"] is True
    response = client.patch(url("household-heads", body["id"]), {"national_id": "11010519491231002X"}, format="json")
    assert response.status_code == 400
    response = client.post(url("household-heads", body["id"], "end"), {"on": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False


def test_activity_entered_by_an_officer_confirmed_by_the_head(api: Api, officer: User, station_head: User) -> None:
    head = HouseholdHead.objects.for_user(officer).filter(is_active=True).first()
    response = api(officer).post(
        url("household-head-activities"),
        {"head": head.pk, "kind": "legal_publicity", "occurred_on": timezone.localdate().isoformat(),
         "description": "反诈宣传", "status": "confirmed", "station": 1},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == ActivityStatus.REPORTED and body["station"] == head.station_id
    assert api(officer).post(url("household-head-activities", body["id"], "decide"), {"confirm": True}, format="json").status_code == 403
    response = api(station_head).post(url("household-head-activities", body["id"], "decide"), {"confirm": True}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ActivityStatus.CONFIRMED
    again = api(station_head).post(url("household-head-activities", body["id"], "decide"), {"confirm": False}, format="json")
    assert again.status_code == 400


# --- lists: cursor pages, bounded queries ------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_lists_are_cursor_paginated_in_bounded_queries(
    api: Api, province_admin: User, collection: str, django_assert_max_num_queries  # type: ignore[no-untyped-def]
) -> None:
    client = api(province_admin)
    with django_assert_max_num_queries(8):
        response = client.get(url(collection), {"page_size": 1000})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    assert len(body["results"]) == min(1000, COLLECTIONS[collection].objects.count())
    first = client.get(url(collection), {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_filters(api: Api, station_head: User, officer: User) -> None:
    client = api(station_head)
    flagged = client.get(url("check-ins"), {"flagged": "true", "page_size": 1000}).json()["results"]
    assert flagged and all(row["flags"] for row in flagged)
    outside = client.get(url("check-ins"), {"flag": "outside_beat", "page_size": 1000}).json()["results"]
    assert all("outside_beat" in row["flags"] for row in outside)
    mine = client.get(url("check-ins"), {"officer": officer.officer_id, "page_size": 1000}).json()["results"]
    assert mine and {row["officer"] for row in mine} == {officer.officer_id}
    named = client.get(url("police-rooms"), {"named": "true"}).json()["results"]
    assert named and all(row["is_named_after_officer"] for row in named)
    holds = client.get(url("communities"), {"holds": "first_four", "page_size": 1000}).json()["results"]
    year = timezone.localdate().year
    for row in holds:
        status = next(s for s in row["eight_nos"] if s["year"] == year)
        assert status["holds_first_four"]


def test_schema_documents_every_beats_operation(api: Api, officer: User) -> None:
    document = api(officer).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = document["paths"]
    for collection in COLLECTIONS:
        assert f"/api/v1/{collection}/" in paths
        assert f"/api/v1/{collection}/{{id}}/" in paths
    post = paths["/api/v1/check-ins/"]["post"]
    request_schema = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][request_schema]["properties"]) == {"lat", "lon", "accuracy", "device_time"}
    assert {"201", "400", "401", "403"} <= set(post["responses"])
    for action in ("/api/v1/check-ins/{id}/review/", "/api/v1/check-ins/compliance/", "/api/v1/beats/{id}/assign/",
                   "/api/v1/communities/{id}/breaches/", "/api/v1/communities/{id}/certify/",
                   "/api/v1/household-heads/{id}/end/", "/api/v1/household-head-activities/{id}/decide/"):
        assert action in paths
