import datetime as dt

import pytest
from django.urls import reverse

from rewards import services
from rewards.models import AwardBatch, AwardLevel, BatchStatus, EventReward, RewardStatus
from stations.choices import RegionLevel
from stations.models import Officer, Region

pytestmark = pytest.mark.django_db

PAGES = ["rewards:index", "rewards:batches", "rewards:share", "rewards:points", "rewards:event_rewards",
         "rewards:award_create", "rewards:batch_create"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["province_admin", "station_head", "officer", "county_staff"])
def test_pages_render_with_bounded_queries(client, request, persona, name, django_assert_max_num_queries) -> None:
    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(25):
        resp = client.get(reverse(name))
    assert resp.status_code == 200


def test_anonymous_is_sent_to_sign_in(client) -> None:
    assert client.get(reverse("rewards:index")).status_code == 302


def test_batch_page_is_404_outside_the_jurisdiction(client, officer, officer_b) -> None:
    batch = AwardBatch.objects.filter(issuing_station=officer.home_station).first()
    client.force_login(officer_b)
    assert client.get(reverse("rewards:batch", args=[batch.pk])).status_code == 404
    client.force_login(officer)
    assert client.get(reverse("rewards:batch", args=[batch.pk])).status_code == 200


def test_confirm_form_shows_the_warning_and_asks_to_confirm_anyway(client, province_admin) -> None:
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    day = dt.date(2004, 3, 1)
    batch = services.batch_create(user=province_admin, title="M", meeting_date=day, issuing_region=province)
    services.award_grant(user=province_admin, level=AwardLevel.objects.get(code="commendation"), awarded_on=day,
                         reason="r", officer=Officer.objects.filter(station__isnull=True).first(), batch=batch)
    client.force_login(province_admin)
    url = reverse("rewards:batch", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'id="share-warning"' in page
    resp = client.post(url, {"confirm": "1"})
    assert resp.status_code == 200 and 'name="force"' in resp.content.decode()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    client.post(url, {"confirm": "1", "force": "1"})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED


def test_station_head_approves_on_the_page_and_officer_cannot(client, officer, station_head) -> None:
    reward = EventReward.objects.filter(station=officer.home_station, status=RewardStatus.PROPOSED).first()
    url = reverse("rewards:event_rewards")
    client.force_login(officer)
    client.post(url, {"reward": reward.pk, "approve": "1"})
    reward.refresh_from_db()
    assert reward.status == RewardStatus.PROPOSED
    client.force_login(station_head)
    client.post(url, {"reward": reward.pk, "approve": "1"})
    reward.refresh_from_db()
    assert reward.status == RewardStatus.APPROVED
