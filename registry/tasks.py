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
def quality_recompute_task(
    day: str | None = None, station_ids: list[int] | None = None, job_id: int | None = None
) -> str | None:
    """Recompute the data-quality rates (nightly on beat; on demand for a user's stations). With a
    ``job_id`` (a job recorded by ``jobs.services.job_submit``) it runs once however often delivered."""
    from registry.quality import quality_recompute

    when = dt.date.fromisoformat(day) if day else timezone.localdate()

    def run() -> str:
        quality_recompute(day=when, station_ids=station_ids)
        return when.isoformat()

    if job_id is None:
        return run()
    from jobs.services import job_run, job_task_result

    return job_task_result(job_run(job_id=job_id, run=run))


@shared_task(acks_late=True, ignore_result=True)
def quality_recompute_submit_task() -> int:
    """Beat: record tonight's full recompute as a job (queued on commit); returns the job id."""
    from jobs.services import job_submit

    day = timezone.localdate().isoformat()
    job, _created = job_submit(
        task="registry.tasks.quality_recompute_task",
        kwargs={"day": day},
        idempotency_key=f"registry.quality:all:{day}",
        requested_by="celery beat",
    )
    return job.pk


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
