"""The beats Celery tasks are thin and idempotent: running them twice changes nothing more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from beats import tasks
from beats.models import BeatAssignment, Community, EightNosStatus, MonthlyCompliance

pytestmark = pytest.mark.django_db


def test_snapshot_compliance_runs_twice_to_the_same_rows() -> None:
    month = timezone.localdate().replace(day=1)
    MonthlyCompliance.objects.filter(month=month).delete()
    first = tasks.snapshot_compliance.apply(kwargs={"month": month.isoformat()}).get()
    rows = sorted(MonthlyCompliance.objects.filter(month=month).values_list("officer_id", "days_checked", "days_required"))
    assert first == len(rows) == BeatAssignment.objects.filter(end__isnull=True).values("officer").distinct().count()
    assert tasks.snapshot_compliance.apply(kwargs={"month": month.isoformat()}).get() == first
    assert sorted(MonthlyCompliance.objects.filter(month=month).values_list("officer_id", "days_checked", "days_required")) == rows


def test_snapshot_compliance_drops_officers_no_longer_assigned() -> None:
    month = timezone.localdate().replace(day=1)
    tasks.snapshot_compliance.apply(kwargs={"month": month.isoformat()}).get()
    assignment = BeatAssignment.objects.filter(end__isnull=True, start__lt=month - dt.timedelta(days=40)).first()
    assert assignment is not None
    BeatAssignment.objects.filter(pk=assignment.pk).update(end=month - dt.timedelta(days=1))
    tasks.snapshot_compliance.apply(kwargs={"month": month.isoformat()}).get()
    assert not MonthlyCompliance.objects.filter(month=month, officer=assignment.officer_id).exists()


def test_open_eight_nos_year_once_per_community() -> None:
    year = 2098
    assert tasks.open_eight_nos_year.apply(kwargs={"year": year}).get() == Community.objects.count()
    assert tasks.open_eight_nos_year.apply(kwargs={"year": year}).get() == 0
    assert EightNosStatus.objects.filter(year=year).count() == Community.objects.count()
