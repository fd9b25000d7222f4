"""Celery tasks of the registry: thin wrappers over plain functions (imports, quality rates,
inspection partitions and plans). Every task is idempotent and ``acks_late``."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, bind=True, max_retries=None)
def import_run(self, job_id: int) -> str:  # type: ignore[no-untyped-def]
    """Run an import job. If another worker holds it (fresh heartbeat), look again later: should that
    worker have died, its job becomes claimable once the heartbeat is stale."""
    from registry.imports.pipeline import STALE_AFTER, import_process
    from registry.models import ImportJob

    if import_process(job_id=job_id):
        return "done"
    if ImportJob.objects.filter(pk=job_id, status="running").exists():
        raise self.retry(countdown=int(STALE_AFTER.total_seconds()) + 5)
    return "skipped"


@shared_task(acks_late=True)
def imports_requeue_stranded_task() -> list[int]:
    """Send again imports whose queue message was lost or whose worker died (every few minutes)."""
    from registry.imports.services import imports_requeue_stranded

    return imports_requeue_stranded()


@shared_task(acks_late=True)
def quality_recompute_task(day: str | None = None, station_ids: list[int] | None = None) -> str:
    """Recompute the data-quality rates (daily on beat; on demand for a user's stations)."""
    from registry.quality import quality_recompute

    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    quality_recompute(day=when, station_ids=station_ids)
    return when.isoformat()


@shared_task(acks_late=True)
def inspection_partitions_task(months_ahead: int = 3) -> list[str]:
    """Create the next months' partitions of the inspection table ahead of time."""
    from registry.inspections import inspection_partitions_ensure

    return inspection_partitions_ensure(months_ahead=months_ahead)


@shared_task(acks_late=True)
def inspection_plans_task() -> int:
    """Draw this week's inspection plans (Monday morning; idempotent: stations that have one keep it)."""
    from registry.inspections import inspection_plans_draw, week_start

    today = timezone.localdate()
    return inspection_plans_draw(week=week_start(today), today=today)
