"""Mass prevention (群防群治) and training (三会一懂): activities feed the household heads' activity
records through the beats service, counts per station and kind, who is trained in what, and the
pages under jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from beats.choices import ActivityStatus
from beats.models import HouseholdHead, HouseholdHeadActivity
from disputes import selectors
from disputes.choices import PreventionKind, TrainingSkill
from disputes.models import PreventionActivity, TrainingSession
from disputes.prevention import prevention_activity_record, training_session_record
from stations.models import Officer, User

pytestmark = pytest.mark.django_db


def _head(station: Any) -> HouseholdHead:
    head = HouseholdHead.objects.filter(
        station=station, is_active=True, appointed_on__lte=timezone.localdate()
    ).first()
    assert head is not None, "the tiny demo has an active household head at officer's station"
    return head


def test_an_activity_records_its_participants_and_feeds_the_heads_record(officer: User) -> None:
    station = officer.home_station
    head = _head(station)
    activity = prevention_activity_record(
        user=officer,
        station=station,
        kind=PreventionKind.JOINT_PATROL,
        held_on=timezone.localdate(),
        officers=[officer.officer_id],
        household_heads=[head],
        place="集贸市场",
    )
    parts = list(activity.participants.all())
    assert {(p.officer_id, p.household_head_id) for p in parts} == {
        (officer.officer_id, None),
        (None, head.pk),
    }
    record = HouseholdHeadActivity.objects.get(
        pk=next(p.head_activity_id for p in parts if p.household_head_id)
    )
    assert (record.head_id, record.kind, record.occurred_on, record.status) == (
        head.pk,
        "joint_patrol",
        activity.held_on,
        ActivityStatus.REPORTED,
    )


def test_an_outside_officer_or_head_saves_nothing(officer: User, officer_b: User) -> None:
    station = officer.home_station
    outsider = Officer.objects.filter(station=officer_b.home_station).first()
    before = (PreventionActivity.objects.count(), HouseholdHeadActivity.objects.count())
    with pytest.raises(ValidationError) as error:
        prevention_activity_record(
            user=officer,
            station=station,
            kind=PreventionKind.PUBLICITY,
            held_on=timezone.localdate(),
            officers=[officer.officer_id, outsider],
            household_heads=[_head(station)],
        )
    assert "officers" in error.value.message_dict
    with pytest.raises(ValidationError):
        prevention_activity_record(
            user=officer,
            station=officer_b.home_station,
            kind=PreventionKind.PUBLICITY,
            held_on=timezone.localdate(),
        )
    assert (PreventionActivity.objects.count(), HouseholdHeadActivity.objects.count()) == before


def test_counts_per_station_and_kind(officer: User, officer_b: User, station_head: User) -> None:
    day = timezone.localdate() - dt.timedelta(days=500)
    for kind in (PreventionKind.JOINT_PATROL, PreventionKind.JOINT_PATROL, PreventionKind.EPIDEMIC):
        prevention_activity_record(
            user=officer, station=officer.home_station, kind=kind, held_on=day, officers=[officer.officer_id]
        )
    b_officer = Officer.objects.filter(station=officer_b.home_station).first()
    prevention_activity_record(
        user=officer_b,
        station=officer_b.home_station,
        kind=PreventionKind.EPIDEMIC,
        held_on=day,
        officers=[b_officer],
    )
    (row,) = selectors.prevention_counts(user=station_head, since=day, until=day)
    assert row["id"] == officer.home_station_id
    assert (
        row["activities"][PreventionKind.JOINT_PATROL] == 2
        and row["activities"][PreventionKind.EPIDEMIC] == 1
    )
    assert (row["total"], row["officer_turns"], row["head_turns"]) == (3, 3, 0)


def test_who_is_trained_in_what(officer: User, station_head: User, django_assert_num_queries: Any) -> None:
    station = officer.home_station
    others = list(Officer.objects.filter(station=station, is_active=True).exclude(pk=officer.officer_id)[:1])
    assert others, "officer's station has more than one officer"
    day = timezone.localdate() - dt.timedelta(days=1)
    training_session_record(
        user=station_head,
        station=station,
        skill=TrainingSkill.MEDIATING,
        title="调解技巧",
        held_on=day,
        attended=[officer.officer_id, others[0]],
        failed=[others[0]],
    )
    with django_assert_num_queries(2):
        rows = {r.officer.pk: r for r in selectors.training_matrix(user=station_head, station=station)}
    assert rows[officer.officer_id].last[TrainingSkill.MEDIATING] == day
    assert (
        TrainingSkill.MEDIATING not in rows[others[0].pk].last
        or rows[others[0].pk].last[TrainingSkill.MEDIATING] < day
    )
    with pytest.raises(ValidationError) as error:
        training_session_record(
            user=station_head,
            station=station,
            skill=TrainingSkill.POLICY,
            title="政策",
            held_on=day,
            attended=[officer.officer_id],
            failed=[others[0]],
        )
    assert "failed" in error.value.message_dict
    assert not TrainingSession.objects.filter(title="政策").exists()


def test_pages(client: Any, station_head: User, officer: User, officer_b: User) -> None:
    client.force_login(station_head)
    response = client.post(
        "/disputes/training/new/",
        {
            "skill": "policy",
            "title": "新修订治安管理处罚法",
            "held_on": timezone.localdate().isoformat(),
            "hours": "2",
            "attended": [officer.officer_id],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/disputes/training/").content.decode()
    assert "新修订治安管理处罚法" in page and officer.officer.name in page
    assert client.get("/disputes/prevention/").status_code == 200
    response = client.post(
        "/disputes/prevention/new/",
        {
            "kind": "publicity",
            "held_on": timezone.localdate().isoformat(),
            "officers": [officer.officer_id],
            "place": "实验小学门口",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PreventionActivity.objects.filter(station=station_head.home_station, place="实验小学门口").exists()

    client.force_login(officer_b)
    assert client.get(f"/disputes/training/?station={officer.home_station_id}").status_code == 404
    assert "新修订治安管理处罚法" not in client.get("/disputes/training/").content.decode()
    assert "实验小学门口" not in client.get("/disputes/prevention/").content.decode()
