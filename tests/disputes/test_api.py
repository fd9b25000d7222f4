"""The disputes API: contract, nested objects, writes through services, jurisdiction on every
endpoint (officer_b → 404 on officer's dispute, its actions and nested objects), masking, and
bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from disputes import services
from disputes.api.views import DisputeViewSet
from disputes.choices import DisputeState as S
from disputes.choices import FollowUpStatus
from disputes.models import Dispute, FollowUp, MediationSession, Party, Transition
from disputes.views import DisputeListView
from stations.models import Officer, User

pytestmark = pytest.mark.django_db
URL = "/api/v1/disputes/"


@pytest.fixture
def resolved(officer: User, make_dispute: Any) -> Dispute:
    """A resolved dispute at officer's station, with a party, a session and follow-ups due."""
    dispute = make_dispute(officer, parties=[services.PartyInput(name="张三", phone="13812345678")])
    services.mediation_session_record(
        user=officer,
        dispute=dispute,
        held_on=timezone.localdate(),
        method="on_site",
        outcome="agreement",
        resolve=True,
    )
    dispute.refresh_from_db()
    return dispute


def _all(client: Any, url: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    rows, next_url, query = [], url, {"page_size": 1000, **(params or {})}
    while next_url:
        response = client.get(next_url, query)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        next_url, query = response.json()["next"], None
    return rows


def test_the_list_is_scoped_and_newest_first(api: Any, officer: User, officer_b: User) -> None:
    rows = _all(api(officer), URL)
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids, reverse=True)
    assert set(ids) == set(Dispute.objects.filter(station=officer.home_station).values_list("pk", flat=True))
    assert not set(ids) & {row["id"] for row in _all(api(officer_b), URL)}


def test_a_dispute_carries_its_nested_objects(api: Any, officer: User, resolved: Dispute) -> None:
    body = api(officer).get(f"{URL}{resolved.pk}/").json()
    assert body["state"] == S.RESOLVED and body["station"] == officer.home_station_id
    assert [p["name"] for p in body["parties"]] == ["张三"]
    assert [s["outcome"] for s in body["sessions"]] == ["agreement"]
    assert [t["to_state"] for t in body["transitions"]] == [S.SCREENING, S.MEDIATING, S.RESOLVED]
    assert body["transitions"][-1]["user"] == officer.username
    assert [f["status"] for f in body["followups"]] == [FollowUpStatus.PENDING] * 2
    assert set(body["allowed_transitions"]) == {S.MEDIATING, S.ESCALATED_CRIMINAL, S.ESCALATED_HOMICIDE}


def test_recording_through_the_api(api: Any, officer: User, officer_b: User) -> None:
    payload = {
        "title": "宅基地界墙纠纷",
        "kind": "land",
        "found_by": "household_head",
        "risk": "high",
        "found_on": str(timezone.localdate()),
        "state": S.RESOLVED,
        "closed_on": "2020-01-01",
        "parties": [
            {"name": "王甲", "phone": "13900001111", "role": "first"},
            {"name": "王乙", "role": "second"},
        ],
    }
    response = api(officer).post(URL, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    dispute = Dispute.objects.get(pk=body["id"])
    # state and closed_on are not assignable: a new dispute is in screening at the caller's station.
    assert (dispute.state, dispute.closed_on, dispute.station_id) == (
        S.SCREENING,
        None,
        officer.home_station_id,
    )
    assert dispute.parties.count() == 2 and dispute.created_by == officer

    elsewhere = api(officer).post(URL, {**payload, "station": officer_b.home_station_id}, format="json")
    assert elsewhere.status_code == 400 and "station" in elsewhere.json()
    invalid = api(officer).post(URL, {**payload, "kind": "murder", "found_on": "2999-01-01"}, format="json")
    assert invalid.status_code == 400 and {"kind"} <= set(invalid.json())


def test_patch_changes_details_only(api: Any, officer: User, officer_b: User, resolved: Dispute) -> None:
    response = api(officer).patch(
        f"{URL}{resolved.pk}/",
        {"risk": "high", "title": "新标题", "state": S.SCREENING, "station": officer_b.home_station_id},
        format="json",
    )
    assert response.status_code == 200, response.content
    resolved.refresh_from_db()
    assert (resolved.risk, resolved.title) == ("high", "新标题")
    assert (resolved.state, resolved.station_id) == (S.RESOLVED, officer.home_station_id)
    other = Officer.objects.filter(station=officer_b.home_station).first()
    assert api(officer).patch(f"{URL}{resolved.pk}/", {"officer": other.pk}, format="json").status_code == 400


def test_nested_writes(api: Any, officer: User, make_dispute: Any, resolved: Dispute) -> None:
    client = api(officer)
    dispute = make_dispute(officer)
    session = client.post(
        f"{URL}{dispute.pk}/sessions/",
        {
            "held_on": str(timezone.localdate()),
            "method": "at_room",
            "outcome": "partial",
            "mediators": "村调委会主任",
        },
        format="json",
    )
    assert session.status_code == 201, session.content
    dispute.refresh_from_db()
    assert dispute.state == S.MEDIATING  # the first session starts mediation
    assert [s["id"] for s in client.get(f"{URL}{dispute.pk}/sessions/").json()] == [session.json()["id"]]

    party = client.post(f"{URL}{dispute.pk}/parties/", {"name": "马丙", "role": "other"}, format="json")
    assert party.status_code == 201 and client.get(f"{URL}{dispute.pk}/parties/").json()[0]["name"] == "马丙"
    assert client.post(f"{URL}{dispute.pk}/parties/", {"role": "other"}, format="json").status_code == 400

    assert (
        client.post(f"{URL}{dispute.pk}/follow-ups/", {"due_on": "2030-01-01"}, format="json").status_code
        == 400
    )
    planned = client.post(
        f"{URL}{resolved.pk}/follow-ups/",
        {"due_on": str(resolved.closed_on + dt.timedelta(days=90))},
        format="json",
    )
    assert planned.status_code == 201
    followup = FollowUp.objects.filter(dispute=resolved).order_by("due_on").first()
    record = client.post(
        f"{URL}{resolved.pk}/follow-ups/{followup.pk}/record/",
        {"done_on": str(timezone.localdate()), "outcome": "flared_up", "note": "又起争执"},
        format="json",
    )
    assert record.status_code == 200, record.content
    assert record.json()["status"] == FollowUpStatus.DONE
    resolved.refresh_from_db()
    assert resolved.state == S.MEDIATING  # reopened
    again = client.post(
        f"{URL}{resolved.pk}/follow-ups/{followup.pk}/record/",
        {"done_on": str(timezone.localdate()), "outcome": "stable"},
        format="json",
    )
    assert again.status_code == 400


def test_anonymous_callers_get_401(api: Any, resolved: Dispute) -> None:
    anonymous = api(None)
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{resolved.pk}/").status_code == 401
    assert (
        anonymous.post(f"{URL}{resolved.pk}/transition/", {"to": S.MEDIATING}, format="json").status_code
        == 401
    )


def test_read_only_roles_get_403_on_writes(api: Any, county_staff: User, resolved: Dispute) -> None:
    client = api(county_staff)
    assert client.get(f"{URL}{resolved.pk}/").status_code == 200
    assert (
        client.post(
            f"{URL}{resolved.pk}/transition/", {"to": S.MEDIATING, "note": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(URL, {"title": "x"}, format="json").status_code == 403
    resolved.refresh_from_db()
    assert resolved.state == S.RESOLVED


def test_every_endpoint_of_a_dispute_is_404_outside_the_jurisdiction(
    api: Any, officer_b: User, resolved: Dispute
) -> None:
    other = api(officer_b)
    pk = resolved.pk
    followup = resolved.followups.first()
    before = (
        Dispute.objects.filter(pk=pk).values().get(),
        Transition.objects.filter(dispute=resolved).count(),
        MediationSession.objects.filter(dispute=resolved).count(),
        Party.objects.filter(dispute=resolved).count(),
        list(FollowUp.objects.filter(dispute=resolved).values()),
    )
    today = str(timezone.localdate())
    calls = [
        ("get", f"{URL}{pk}/", None),
        ("patch", f"{URL}{pk}/", {"risk": "low"}),
        ("post", f"{URL}{pk}/transition/", {"to": S.MEDIATING, "note": "x"}),
        ("get", f"{URL}{pk}/sessions/", None),
        ("post", f"{URL}{pk}/sessions/", {"held_on": today, "method": "phone", "outcome": "adjourned"}),
        ("get", f"{URL}{pk}/parties/", None),
        ("post", f"{URL}{pk}/parties/", {"name": "x", "role": "other"}),
        ("get", f"{URL}{pk}/follow-ups/", None),
        ("post", f"{URL}{pk}/follow-ups/", {"due_on": today}),
        ("post", f"{URL}{pk}/follow-ups/{followup.pk}/record/", {"done_on": today, "outcome": "stable"}),
    ]
    for method, url, data in calls:
        response = getattr(other, method)(url, data, format="json") if data is not None else other.get(url)
        assert response.status_code == 404, (method, url, response.status_code)
    after = (
        Dispute.objects.filter(pk=pk).values().get(),
        Transition.objects.filter(dispute=resolved).count(),
        MediationSession.objects.filter(dispute=resolved).count(),
        Party.objects.filter(dispute=resolved).count(),
        list(FollowUp.objects.filter(dispute=resolved).values()),
    )
    assert after == before
    assert other.get(URL, {"station": resolved.station_id}).status_code == 400  # not a valid choice for them


def test_a_follow_up_of_another_dispute_is_404(
    api: Any, officer: User, make_dispute: Any, resolved: Dispute
) -> None:
    dispute = make_dispute(officer)
    followup = resolved.followups.first()
    response = api(officer).post(
        f"{URL}{dispute.pk}/follow-ups/{followup.pk}/record/",
        {"done_on": str(timezone.localdate()), "outcome": "stable"},
        format="json",
    )
    assert response.status_code == 404


def test_filters(api: Any, officer: User, county_staff: User) -> None:
    assert DisputeViewSet.filterset_class is DisputeListView.filterset_class  # one FilterSet, page and API
    client = api(county_staff)
    for name, value, check in [
        ("kind", "family", lambda d: d.kind == "family"),
        ("risk", "high", lambda d: d.risk == "high"),
        ("state", "resolved", lambda d: d.state == "resolved"),
        ("officer", officer.officer_id, lambda d: d.officer_id == officer.officer_id),
        (
            "found_after",
            str(timezone.localdate() - dt.timedelta(days=30)),
            lambda d: d.found_on >= timezone.localdate() - dt.timedelta(days=30),
        ),
        ("found_before", "2025-06-30", lambda d: d.found_on <= dt.date(2025, 6, 30)),
    ]:
        rows = _all(client, URL, {name: value})
        expected = [d for d in Dispute.objects.for_user(county_staff) if check(d)]
        assert expected, name
        assert {r["id"] for r in rows} == {d.pk for d in expected}, name


def test_phones_are_masked_for_staff_above_the_station(
    api: Any, officer: User, county_staff: User, resolved: Dispute
) -> None:
    mine = api(officer).get(f"{URL}{resolved.pk}/").json()["parties"][0]["phone"]
    theirs = api(county_staff).get(f"{URL}{resolved.pk}/").json()["parties"][0]["phone"]
    assert mine == "13812345678" and theirs == "138****5678"


@pytest.mark.parametrize("size", [5, 200])
def test_the_list_runs_a_fixed_number_of_queries(
    api: Any, county_staff: User, size: int, django_assert_max_num_queries: Any
) -> None:
    client = api(county_staff)
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"page_size": size})
    assert response.status_code == 200 and len(response.json()["results"]) == min(
        size, Dispute.objects.for_user(county_staff).count()
    )


def test_the_schema_documents_the_transition_action(client: Any) -> None:
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = document["paths"]["/api/v1/disputes/{id}/transition/"]["post"]
    assert {"200", "400", "403", "404"} <= set(operation["responses"])
    schema_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    properties = document["components"]["schemas"][schema_ref]["properties"]
    assert {"to", "note"} <= set(properties)
    dispute = document["components"]["schemas"]["Dispute"]["properties"]
    assert dispute["state"].get("readOnly") or "allOf" in dispute["state"]
    assert "/api/v1/disputes/{id}/" in document["paths"]
    assert "delete" not in document["paths"]["/api/v1/disputes/{id}/"]
    assert "put" not in document["paths"]["/api/v1/disputes/{id}/"]
