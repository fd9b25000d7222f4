"""Celery tasks of community policing: thin, idempotent wrappers over the services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from beats import rules, services
from common.audit import audit_context


@shared_task(acks_late=True)
def snapshot_compliance(month: str | None = None) -> int:
    """Store every officer's check-in compliance for ``month`` (``YYYY-MM-DD`` of any day in it;
    default: this month, and last month too during the first five days, while late reviews still
    change it). Safe to run twice: each run replaces the month's rows."""
    today = timezone.localdate()
    if month:
        months = [rules.month_start(dt.date.fromisoformat(month))]
    else:
        months = [rules.month_start(today)]
        if today.day <= 5:
            months.insert(0, rules.month_start(today - dt.timedelta(days=today.day)))
    total = 0
    with audit_context(source="task", task="beats.snapshot_compliance"):
        for first in months:
            total += services.compliance_snapshot(month=first)
    return total


@shared_task(acks_late=True)
def open_eight_nos_year(year: int | None = None) -> int:
    """Give every community its eight-nos row for the year (all held until a breach is recorded)."""
    with audit_context(source="task", task="beats.open_eight_nos_year"):
        return services.eight_nos_open_year(year=year or timezone.localdate().year)
