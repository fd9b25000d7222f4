"""Reads: the attention list, the station board and the filtered list — scoped, bounded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from disputes import selectors, services
from disputes.choices import DisputeState as S
from disputes.choices import RiskLevel
from disputes.models import Dispute
from stations.models import Officer, User

pytestmark = pytest.mark.django_db


def _quiet(dispute: Dispute, days: int) -> None:
    Dispute.objects.filter(pk=dispute.pk).update(last_action_at=timezone.now() - dt.timedelta(days=days))


def test_quiet_high_risk_disputes_need_attention(
    officer: User, station_head: User, officer_b: User, make_dispute: Any
) -> None:
    now = timezone.now()
    quiet = make_dispute(officer, risk=RiskLevel.HIGH, title="久拖未调")
    _quiet(quiet, 10)
    busy = make_dispute(officer, risk=RiskLevel.HIGH, title="刚刚调解")
    quiet_low = make_dispute(officer, risk=RiskLevel.LOW, title="低风险")
    _quiet(quiet_low, 30)
    closed = make_dispute(officer, risk=RiskLevel.HIGH, title="已化解")
    services.dispute_transition(dispute=closed, to=S.RESOLVED, user=officer)
    _quiet(closed, 30)
    colleague = Officer.objects.filter(station=officer.home_station).exclude(pk=officer.officer_id).first()
    theirs = make_dispute(officer, risk=RiskLevel.HIGH, title="同事负责", officer=colleague)
    _quiet(theirs, 20)

    mine = selectors.dispute_attention(user=officer, now=now, quiet_days=7, limit=500).stale
    assert quiet in mine and busy not in mine and quiet_low not in mine and closed not in mine
    assert theirs not in mine  # an officer sees their own and the unassigned ones
    assert all(d.risk == RiskLevel.HIGH and d.state in (S.SCREENING, S.MEDIATING) for d in mine)
    assert [d.last_action_at for d in mine] == sorted(d.last_action_at for d in mine)  # longest silence first

    head = selectors.dispute_attention(user=station_head, now=now, quiet_days=7, limit=500).stale
    assert quiet in head and theirs in head
    assert quiet not in selectors.dispute_attention(user=officer, now=now, quiet_days=14, limit=500).stale
    assert quiet not in selectors.dispute_attention(user=officer_b, now=now, quiet_days=1, limit=500).stale

    # Any action brings it back to life.
    services.dispute_transition(dispute=quiet, to=S.MEDIATING, user=officer)
    assert (
        quiet
        not in selectors.dispute_attention(user=officer, now=timezone.now(), quiet_days=7, limit=500).stale
    )


def test_the_quiet_days_are_configurable(officer: User, make_dispute: Any, settings: Any) -> None:
    dispute = make_dispute(officer, risk=RiskLevel.HIGH)
    _quiet(dispute, 4)
    settings.DISPUTES_ATTENTION_DAYS = 3
    assert dispute in selectors.dispute_attention(user=officer, now=timezone.now(), limit=500).stale
    settings.DISPUTES_ATTENTION_DAYS = 5
    assert dispute not in selectors.dispute_attention(user=officer, now=timezone.now(), limit=500).stale


def test_follow_ups_due_need_attention(
    officer: User, station_head: User, officer_b: User, make_dispute: Any
) -> None:
    dispute = make_dispute(officer, officer=Officer.objects.get(pk=officer.officer_id))
    services.dispute_transition(dispute=dispute, to=S.RESOLVED, user=officer)
    week, month = dispute.followups.order_by("due_on")
    now = timezone.now()

    def due_ids(user: User, when: dt.datetime) -> set[int]:
        return {f.pk for f in selectors.dispute_attention(user=user, now=when, limit=500).followups}

    assert week.pk not in due_ids(officer, now)  # due in a week: not yet
    assert week.pk in due_ids(officer, now + dt.timedelta(days=5))  # due within three days
    assert week.pk in due_ids(station_head, now + dt.timedelta(days=8))  # overdue
    assert month.pk not in due_ids(officer, now + dt.timedelta(days=8))
    assert week.pk not in due_ids(officer_b, now + dt.timedelta(days=8))
    services.followup_record(user=officer, followup=week, done_on=timezone.localdate(), outcome="stable")
    assert week.pk not in due_ids(officer, now + dt.timedelta(days=8))


def test_the_attention_list_is_bounded(
    station_head: User, province_admin: User, django_assert_num_queries: Any
) -> None:
    for user in (station_head, province_admin):
        with django_assert_num_queries(2):
            attention = selectors.dispute_attention(user=user, now=timezone.now(), limit=3)
            for dispute in attention.stale:
                str(dispute.station.name), str(dispute.officer)
            for followup in attention.followups:
                str(followup.dispute.station.name)
        assert len(attention.stale) <= 3 and len(attention.followups) <= 3


def test_the_demo_gives_the_officer_something_to_attend_to(officer: User) -> None:
    attention = selectors.dispute_attention(user=officer, now=timezone.now())
    assert attention.stale and attention.followups


def test_the_board_shows_each_state_in_bounded_queries(
    station_head: User, django_assert_num_queries: Any
) -> None:
    station = station_head.home_station
    with django_assert_num_queries(6):
        columns = selectors.dispute_board(user=station_head, station=station, limit=5)
    by_key = {c.key: c for c in columns}
    assert set(by_key) == {"screening", "mediating", "resolved", "escalated", "transferred"}
    for column in columns:
        assert column.count == Dispute.objects.filter(station=station, state__in=column.states).count()
        assert len(column.disputes) == min(5, column.count)
        assert all(d.state in column.states and d.station_id == station.pk for d in column.disputes)


def test_the_board_of_another_station_is_empty_for_an_outsider(officer: User, officer_b: User) -> None:
    columns = selectors.dispute_board(user=officer_b, station=officer.home_station)
    assert all(c.count == 0 and not c.disputes for c in columns)


def test_the_list_applies_jurisdiction_then_filters(
    officer: User, county_staff: User, officer_b: User
) -> None:
    mine = selectors.dispute_list(user=officer)
    assert mine.exists() and not mine.exclude(station=officer.home_station).exists()
    high = selectors.dispute_list(user=county_staff, filters={"risk": "high", "is_open": "true"})
    assert high.exists() and all(d.risk == "high" and d.state in (S.SCREENING, S.MEDIATING) for d in high)
    # A filter naming a station outside the jurisdiction is invalid: no rows rather than a hint.
    assert not selectors.dispute_list(user=officer_b, filters={"station": officer.home_station_id}).exists()
