"""Thin Celery tasks over the evaluation services.

Scoring and ledger runs are jobs (``jobs.services``): recorded in PostgreSQL, then queued; the message
carries ``job_id`` and the run happens once however often it is delivered. Beat sends the
``*_submit_task`` triggers, which record the job for last month; called without ``job_id`` (a shell,
an older message) the tasks run directly, as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.utils import timezone

from common.audit import audit_context
from evaluation import services
from evaluation.models import Period

SCORE_TASK = "evaluation.tasks.assessment_score_task"
LEDGERS_TASK = "evaluation.tasks.ledgers_generate_task"


def _previous_month() -> Period:
    first = timezone.localdate().replace(day=1)
    return services.period_month(day=first - dt.timedelta(days=1))


def _maybe_as_job(job_id: int | None, run: Callable[[], Any]) -> Any:
    if job_id is None:
        return run()
    from jobs.services import job_run, job_task_result

    return job_task_result(job_run(job_id=job_id, run=run))


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def assessment_score_task(
    period_id: int | None = None, job_id: int | None = None, triggered_by: str = "celery"
) -> int | None:
    """Score every unit for the period (default: last month). Safe to run twice: scores are replaced;
    as a job, it runs once."""

    def run() -> int:
        period = Period.objects.get(pk=period_id) if period_id else _previous_month()
        with audit_context(task="evaluation.assessment_score", job=job_id):
            return services.assessment_score(period=period, triggered_by=triggered_by).units_scored

    return _maybe_as_job(job_id, run)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def ledgers_generate_task(period_id: int | None = None, job_id: int | None = None) -> int | None:
    """Generate every ledger for every station for the period (default: last month)."""

    def run() -> int:
        period = Period.objects.get(pk=period_id) if period_id else _previous_month()
        with audit_context(task="evaluation.ledgers_generate", job=job_id):
            return services.ledgers_generate(period=period)

    return _maybe_as_job(job_id, run)


def score_submit(*, period: Period, requested_by: str) -> tuple[Any, bool]:
    """Record (and, on commit, queue) a scoring job for ``period``; while one is queued or running,
    that one is returned instead of a second."""
    from jobs.services import job_submit

    return job_submit(
        task=SCORE_TASK,
        kwargs={"period_id": period.pk, "triggered_by": requested_by},
        idempotency_key=f"evaluation.score:{period.pk}",
        requested_by=requested_by,
    )


def ledgers_submit(*, period: Period, requested_by: str) -> tuple[Any, bool]:
    """Record (and, on commit, queue) a ledger run for ``period``, once while one is pending."""
    from jobs.services import job_submit

    return job_submit(
        task=LEDGERS_TASK,
        kwargs={"period_id": period.pk},
        idempotency_key=f"evaluation.ledgers:{period.pk}",
        requested_by=requested_by,
    )


@shared_task(acks_late=True, ignore_result=True)
def assessment_score_submit_task() -> int:
    """Beat: record last month's scoring job (it runs on a worker once queued). Returns the job id."""
    return score_submit(period=_previous_month(), requested_by="celery beat")[0].pk


@shared_task(acks_late=True, ignore_result=True)
def ledgers_generate_submit_task() -> int:
    """Beat: record last month's ledger run. Returns the job id."""
    return ledgers_submit(period=_previous_month(), requested_by="celery beat")[0].pk
