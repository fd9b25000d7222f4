"""Celery tasks of the disputes app: thin wrappers over services, idempotent, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from common.audit import audit_context
from disputes import services


@shared_task(acks_late=True, time_limit=30 * 60, soft_time_limit=25 * 60)
def refresh_figures() -> dict[str, int]:
    """Bring the monthly dispute summary (the dashboards' source) up to date with the disputes.
    Only changed rows are written; a run that finds another one in progress does nothing."""
    with audit_context(source="disputes.tasks.refresh_figures"):
        return services.dispute_figures_refresh()
