"""Celery tasks of the jobs app (thin wrappers; see ``jobs.services``)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def jobs_requeue_task() -> list[int]:
    """Send again the jobs whose message Redis lost or whose worker died (every minute on beat)."""
    from jobs.services import jobs_requeue

    return jobs_requeue()
