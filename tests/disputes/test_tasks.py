"""The figures refresh: a thin, idempotent task that writes only what changed, on a schedule."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from disputes import services, tasks
from disputes.choices import DisputeState as S
from disputes.models import DisputeMonth
from stations.models import User

pytestmark = pytest.mark.django_db


def test_refreshing_twice_changes_nothing_the_second_time(officer: User, make_dispute: Any) -> None:
    services.dispute_figures_refresh()
    assert services.dispute_figures_refresh() == {"skipped": 0, "created": 0, "updated": 0, "deleted": 0}


def test_a_move_updates_exactly_its_month(officer: User, make_dispute: Any) -> None:
    dispute = make_dispute(officer)
    services.dispute_figures_refresh()
    month = DisputeMonth.objects.get(station=officer.home_station, month=dispute.found_on.replace(day=1))
    before = month.resolved
    services.dispute_transition(dispute=dispute, to=S.RESOLVED, user=officer)
    result = tasks.refresh_figures.apply().get()
    assert result["updated"] == 1 and result["created"] == 0
    month.refresh_from_db()
    assert month.resolved == before + 1


def test_a_month_with_nothing_left_is_removed(officer: User, make_dispute: Any) -> None:
    from django.utils import timezone

    dispute = make_dispute(officer, found_on=timezone.localdate().replace(year=2003, month=5, day=1))
    services.dispute_figures_refresh()
    assert DisputeMonth.objects.filter(station=officer.home_station, month="2003-05-01").exists()
    dispute.delete()
    assert services.dispute_figures_refresh()["deleted"] == 1
    assert not DisputeMonth.objects.filter(station=officer.home_station, month="2003-05-01").exists()


def test_the_refresh_is_scheduled() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["disputes-refresh-figures"]
    assert entry["task"] == tasks.refresh_figures.name == "disputes.tasks.refresh_figures"
    assert tasks.refresh_figures.acks_late
