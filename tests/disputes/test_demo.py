"""The demo's disputes: every API model at the officer's station, a realistic mix."""

from __future__ import annotations

import pytest

from disputes.models import Dispute, FollowUp, MediationSession, Party, Transition

pytestmark = pytest.mark.django_db


def test_tiny_demo_has_every_model_at_both_persona_stations(officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    for user in (officer, officer_b):
        station = user.home_station_id
        assert Dispute.objects.filter(station=station).exists()
        assert Party.objects.filter(dispute__station=station).exists()
        assert Transition.objects.filter(dispute__station=station).exists()
    station = officer.home_station_id
    assert MediationSession.objects.filter(dispute__station=station).exists()
    assert FollowUp.objects.filter(dispute__station=station).exists()


def test_the_province_plan_has_the_reported_mix() -> None:
    """At province scale: 40,000 found last year, 38,000 of them resolved; from January to the
    current month 220 → 190 disputes became criminal cases (−13.6 %) and 14 → 13 homicides (−7.1 %)."""
    import datetime as dt

    from common.demo import DemoContext
    from disputes import demo
    from disputes.choices import DisputeState as S
    from disputes.figures import Period, change

    today = dt.date(2026, 11, 29)
    ctx = DemoContext(scale="province", seed=1, today=today, password="x")
    plans = demo.plan(ctx, list(range(1, 1001)), 1, 2)
    last_year = [p for p in plans if p.found_on.year == today.year - 1]
    assert len(last_year) == 40_000
    assert sum(p.state == S.RESOLVED for p in last_year) == 38_000
    period = Period.year_to_date(today)

    def escalated(state: str, within: Period) -> int:
        return sum(1 for p in plans if p.state == state and p.closed_on and within.contains(p.closed_on))

    criminal = escalated(S.ESCALATED_CRIMINAL, period), escalated(S.ESCALATED_CRIMINAL, period.last_year())
    homicide = escalated(S.ESCALATED_HOMICIDE, period), escalated(S.ESCALATED_HOMICIDE, period.last_year())
    assert criminal == (190, 220) and round(change(this=criminal[0], last=criminal[1]) * 100, 1) == -13.6
    assert homicide == (13, 14) and round(change(this=homicide[0], last=homicide[1]) * 100, 1) == -7.1
    for p in plans:  # every story is a legal walk through the workflow, in date order
        state, day = S.SCREENING, p.found_on
        for step in p.steps:
            assert demo_legal(state, step.to) and step.day >= day
            state, day = step.to, step.day
        assert all(p.found_on <= s.day <= today for s in p.sessions)


def demo_legal(from_state: str, to_state: str) -> bool:
    from disputes.transitions import transition_error

    return transition_error(from_state, to_state) is None
