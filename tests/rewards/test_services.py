import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from beats.choices import ActivityKind, ActivityStatus
from beats.models import HouseholdHead, HouseholdHeadActivity
from rewards import selectors, services
from rewards.models import Award, AwardLevel, BatchStatus, PointEntry, PointRule, RewardStatus
from stations.choices import RegionLevel
from stations.models import Officer, Posting, Region

pytestmark = pytest.mark.django_db

DAY = dt.date(2001, 6, 1)  # a year with no demo awards


def _province() -> Region:
    return Region.objects.get(level=RegionLevel.PROVINCE)


def _level() -> AwardLevel:
    return AwardLevel.objects.get(code="commendation")


def _bureau_officer() -> Officer:
    return Officer.objects.filter(station__isnull=True, postings__isnull=True).order_by("id").first() or \
        Officer.objects.filter(station__isnull=True).order_by("id").first()


def test_levels_are_seeded() -> None:
    codes = set(AwardLevel.objects.values_list("code", flat=True))
    assert {"first-class-merit", "second-class-merit", "third-class-merit", "commendation"} <= codes


def test_award_to_station_officer_is_placed_at_the_station(province_admin, officer) -> None:
    award = services.award_grant(
        user=province_admin, level=_level(), awarded_on=DAY, reason="x", officer=officer.officer,
        issuing_region=_province(),
    )
    posting_station, _region = services.officer_posting_on(officer=officer.officer, on=DAY)
    assert award.station_id == posting_station
    assert award.at_station is (posting_station is not None)
    assert award.confirmed is True


def test_posting_history_decides_the_station_on_the_award_date(province_admin) -> None:
    bureau = _bureau_officer()
    station_id = Officer.objects.filter(station__isnull=False).values_list("station_id", flat=True).first()
    Posting.objects.filter(officer=bureau).delete()
    Posting.objects.create(officer=bureau, station_id=station_id, region=bureau.region, start=dt.date(2000, 1, 1),
                           end=dt.date(2001, 12, 31))
    award = services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="x", officer=bureau,
                                 issuing_region=_province())
    assert award.at_station is True and award.station_id == station_id
    later = services.award_grant(user=province_admin, level=_level(), awarded_on=dt.date(2003, 1, 1), reason="x",
                                 officer=bureau, issuing_region=_province())
    assert later.at_station is False


def test_wartime_award_needs_the_emergency(province_admin, officer) -> None:
    with pytest.raises(ValidationError):
        services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="x", officer=officer.officer,
                             issuing_region=_province(), wartime=True)


def test_an_officer_cannot_grant_awards(officer) -> None:
    with pytest.raises(PermissionDenied):
        services.award_grant(user=officer, level=_level(), awarded_on=DAY, reason="x", officer=officer.officer,
                             issuing_station=officer.home_station)


def test_batch_confirm_warns_when_share_would_fall_below_30_percent(province_admin, officer) -> None:
    province = _province()
    services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="x", officer=officer.officer,
                         issuing_region=province)  # 1 of 1 at a station
    batch = services.batch_create(user=province_admin, title="Meeting", meeting_date=DAY, issuing_region=province)
    bureau = list(Officer.objects.filter(station__isnull=True).order_by("id")[:3])
    assert len(bureau) == 3
    for person in bureau:
        services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="y", officer=person,
                             batch=batch)
    # Draft awards do not count yet.
    rows = {r.issuer_id: r for r in selectors.share_by_issuer(province_admin, start=DAY.replace(month=1, day=1),
                                                               end=DAY.replace(month=12, day=31))}
    assert rows[province.pk].counts.individual == 1
    warning = services.batch_share_warning(batch=batch)
    assert warning is not None and float(warning.after) == 0.25 and float(warning.before) == 1.0
    with pytest.raises(services.ShareBelowThreshold):
        services.batch_confirm(user=province_admin, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    services.batch_confirm(user=province_admin, batch=batch, force=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED
    assert not Award.objects.filter(batch=batch, confirmed=False).exists()
    below = selectors.units_below(province_admin, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31))
    assert [r.issuer_id for r in below] == [province.pk]


def test_batch_of_only_collective_awards_gives_no_warning(province_admin, officer) -> None:
    batch = services.batch_create(user=province_admin, title="M", meeting_date=DAY, issuing_region=_province())
    services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="y",
                         recipient_station=officer.home_station, batch=batch)
    assert services.batch_share_warning(batch=batch) is None
    services.batch_confirm(user=province_admin, batch=batch)
    rows = selectors.share_by_issuer(province_admin, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31))
    assert rows[0].share is None and rows[0].collective == 1 and rows[0].below is False


def test_award_counts_count_stations_officers_and_wartime_people(province_admin, officer) -> None:
    province = _province()
    station = officer.home_station
    services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="x", officer=officer.officer,
                         issuing_region=province, wartime=True, emergency="Flood")
    services.award_grant(user=province_admin, level=_level(), awarded_on=DAY, reason="x", recipient_station=station,
                         issuing_region=province, wartime=True, emergency="Flood", people=12)
    counts = selectors.award_counts(province_admin, start=dt.date(2001, 1, 1), end=dt.date(2001, 12, 31))
    assert (counts.awards, counts.stations, counts.officers) == (2, 1, 1)
    assert (counts.wartime_awards, counts.wartime_people) == (2, 13)


def _new_confirmed_activity(head: HouseholdHead, kind: str = ActivityKind.INFORMATION) -> HouseholdHeadActivity:
    return HouseholdHeadActivity.objects.create(
        head=head, station_id=head.station_id, kind=kind, occurred_on=dt.date.today(), description="d",
        status=ActivityStatus.CONFIRMED,
    )


def test_points_from_confirmed_activities_are_posted_once(officer) -> None:
    head = HouseholdHead.objects.filter(station=officer.home_station).first()
    activity = _new_confirmed_activity(head)
    HouseholdHeadActivity.objects.create(
        head=head, station_id=head.station_id, kind=ActivityKind.INFORMATION, occurred_on=dt.date.today(),
        description="d", status=ActivityStatus.REPORTED,
    )
    before = selectors.head_balance(officer, head_id=head.pk)
    assert services.points_post_activities() == 1
    entry = PointEntry.objects.get(activity=activity)
    rule = PointRule.objects.get(kind=ActivityKind.INFORMATION)
    assert entry.points == rule.points
    assert selectors.head_balance(officer, head_id=head.pk) == before + rule.points
    assert services.points_post_activities() == 0
    assert PointEntry.objects.filter(activity=activity).count() == 1


def test_rules_follow_their_effective_dates() -> None:
    rules = [
        PointRule(kind="traffic", points=3, effective_from=dt.date(2000, 1, 1), effective_until=dt.date(2020, 12, 31)),
        PointRule(kind="traffic", points=7, effective_from=dt.date(2021, 1, 1)),
    ]
    assert services.rule_points(rules, kind="traffic", on=dt.date(2019, 5, 1)) == 3
    assert services.rule_points(rules, kind="traffic", on=dt.date(2022, 5, 1)) == 7
    assert services.rule_points(rules, kind="traffic", on=dt.date(1999, 5, 1)) is None


def test_per_event_reward_officer_proposes_station_head_approves(officer, station_head) -> None:
    head = HouseholdHead.objects.filter(station=officer.home_station).first()
    reward = services.reward_propose(user=officer, head=head, event_date=dt.date.today(), description="Caught a thief",
                                     points=30)
    assert reward.status == RewardStatus.PROPOSED
    assert not PointEntry.objects.filter(event_reward=reward).exists()
    with pytest.raises(PermissionDenied):
        services.reward_approve(user=officer, reward=reward)
    before = selectors.head_balance(station_head, head_id=head.pk)
    services.reward_approve(user=station_head, reward=reward)
    reward.refresh_from_db()
    assert reward.status == RewardStatus.APPROVED and reward.decided_by == station_head
    assert selectors.head_balance(station_head, head_id=head.pk) == before + 30
    with pytest.raises(ValidationError):
        services.reward_reject(user=station_head, reward=reward)


def test_rejected_reward_posts_nothing(officer, station_head) -> None:
    head = HouseholdHead.objects.filter(station=officer.home_station).first()
    reward = services.reward_propose(user=officer, head=head, event_date=dt.date.today(), description="x", points=10)
    services.reward_reject(user=station_head, reward=reward, note="no")
    assert not PointEntry.objects.filter(event_reward=reward).exists()


def test_officer_cannot_propose_for_another_stations_head(officer_b, officer) -> None:
    head = HouseholdHead.objects.filter(station=officer.home_station).first()
    with pytest.raises(ValidationError):
        services.reward_propose(user=officer_b, head=head, event_date=dt.date.today(), description="x", points=10)


@pytest.mark.parametrize("persona", ["province_admin", "county_staff", "station_head"])
def test_selectors_run_a_bounded_number_of_queries(persona, request, django_assert_max_num_queries) -> None:
    user = request.getfixturevalue(persona)
    start, end = dt.date.today() - dt.timedelta(days=365), dt.date.today()
    with django_assert_max_num_queries(6):
        selectors.share_by_issuer(user, start=start, end=end)
        selectors.award_counts(user, start=start, end=end)
        selectors.head_ranking(user, start=start, end=end)
        selectors.station_ranking(user, start=start, end=end)
        selectors.county_ranking(user, start=start, end=end)
        list(selectors.rewards_to_decide(user))
