
import pytest

from rewards.models import Award, AwardBatch, AwardLevel, EventReward, PointEntry, RewardStatus
from stations.choices import RegionLevel
from stations.models import Officer, Region

pytestmark = pytest.mark.django_db


def _objects_at(station) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "awards": Award.objects.filter(station=station).first(),
        "award-batches": AwardBatch.objects.filter(issuing_station=station).first(),
        "household-head-points": PointEntry.objects.filter(station=station).first(),
        "per-event-rewards": EventReward.objects.filter(station=station).first(),
    }


@pytest.mark.parametrize("collection", ["awards", "award-batches", "household-head-points", "per-event-rewards"])
def test_every_endpoint_answers_404_outside_the_jurisdiction(collection, api, officer, officer_b) -> None:
    obj = _objects_at(officer.home_station)[collection]
    assert obj is not None, "the demo has an object of every API model at the officer's station"
    assert api(officer).get(f"/api/v1/{collection}/{obj.pk}/").status_code == 200
    assert api(officer_b).get(f"/api/v1/{collection}/{obj.pk}/").status_code == 404
    ids = [row["id"] for row in api(officer_b).get(f"/api/v1/{collection}/", {"page_size": 1000}).json()["results"]]
    assert obj.pk not in ids
    assert _objects_at(officer_b.home_station)[collection] is not None


def test_officer_b_gets_404_on_the_officers_award(api, officer, officer_b) -> None:
    award = Award.objects.filter(officer=officer.officer).first()
    assert api(officer_b).get(f"/api/v1/awards/{award.pk}/").status_code == 404


def test_anonymous_is_refused(api) -> None:
    assert api(None).get("/api/v1/awards/").status_code in (401, 403)


def test_award_create_ignores_computed_fields(api, province_admin, officer) -> None:
    level = AwardLevel.objects.get(code="commendation")
    bureau = Officer.objects.filter(station__isnull=True).first()
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    resp = api(province_admin).post("/api/v1/awards/", {
        "officer": bureau.pk, "level": level.pk, "issuing_region": province.pk, "awarded_on": "2002-03-01",
        "reason": "r", "at_station": True, "confirmed": False, "station": officer.home_station_id,
    }, format="json")
    assert resp.status_code == 201, resp.content
    award = Award.objects.get(pk=resp.json()["id"])
    assert award.at_station is False and award.confirmed is True and award.station_id is None


def test_officer_cannot_create_awards(api, officer) -> None:
    level = AwardLevel.objects.get(code="commendation")
    resp = api(officer).post("/api/v1/awards/", {
        "officer": officer.officer_id, "level": level.pk, "issuing_station": officer.home_station_id,
        "awarded_on": "2002-03-01", "reason": "r",
    }, format="json")
    assert resp.status_code == 403


def test_confirm_returns_the_warning_and_needs_force(api, province_admin) -> None:
    client = api(province_admin)
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    level = AwardLevel.objects.get(code="commendation")
    batch = client.post("/api/v1/award-batches/", {"title": "M", "meeting_date": "2002-05-01",
                                                    "issuing_region": province.pk}, format="json").json()
    bureau = Officer.objects.filter(station__isnull=True).first()
    resp = client.post("/api/v1/awards/", {"officer": bureau.pk, "level": level.pk, "batch": batch["id"],
                                           "awarded_on": "2002-05-01", "reason": "r"}, format="json")
    assert resp.status_code == 201, resp.content
    resp = client.post(f"/api/v1/award-batches/{batch['id']}/confirm/", {}, format="json")
    assert resp.status_code == 409
    assert resp.json()["share_after"] == 0.0 and "30" in resp.json()["warning"]
    resp = client.post(f"/api/v1/award-batches/{batch['id']}/confirm/", {"force": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed"


def test_reward_decision_through_the_api(api, officer, station_head) -> None:
    reward = EventReward.objects.filter(station=officer.home_station, status=RewardStatus.PROPOSED).first()
    assert api(officer).post(f"/api/v1/per-event-rewards/{reward.pk}/decide/", {"approve": True},
                             format="json").status_code == 403
    resp = api(station_head).post(f"/api/v1/per-event-rewards/{reward.pk}/decide/", {"approve": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    assert PointEntry.objects.filter(event_reward=reward).exists()


def test_award_list_runs_bounded_queries(api, province_admin, django_assert_max_num_queries) -> None:
    client = api(province_admin)
    with django_assert_max_num_queries(8):
        resp = client.get("/api/v1/awards/", {"page_size": 200})
    assert resp.status_code == 200 and resp.json()["results"]
