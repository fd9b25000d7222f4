"""Thin Celery tasks over the evaluation services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from common.audit import audit_context
from evaluation import services
from evaluation.models import Period


def _previous_month() -> Period:
    first = timezone.localdate().replace(day=1)
    return services.period_month(day=first - dt.timedelta(days=1))


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def assessment_score_task(period_id: int | None = None) -> int:
    """Score every unit for the period (default: last month). Safe to run twice: scores are replaced."""
    period = Period.objects.get(pk=period_id) if period_id else _previous_month()
    with audit_context(task="evaluation.assessment_score"):
        return services.assessment_score(period=period, triggered_by="celery").units_scored


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def ledgers_generate_task(period_id: int | None = None) -> int:
    """Generate every ledger for every station for the period (default: last month)."""
    period = Period.objects.get(pk=period_id) if period_id else _previous_month()
    with audit_context(task="evaluation.ledgers_generate"):
        return services.ledgers_generate(period=period)
