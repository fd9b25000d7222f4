"""Writes of the jobs app: record a job and queue it, run it once, send again what Redis lost.

A job is a row in PostgreSQL first (``job_submit``, in the caller's transaction) and a Celery message
second (sent when that transaction commits). Redis being down costs a delay, never the job: the send
fails fast (bounded publish retries, results ignored), is logged, and ``jobs_requeue`` — every minute
on beat — sends again every job still queued. Messages may so arrive twice (or a redelivered one after
a worker died); ``job_run`` gives the job's effect once:

* the worker holds a PostgreSQL advisory lock on the job for as long as it runs it — its lease, which
  ends when it finishes or when its database session does (a worker killed with SIGKILL);
* it takes a job only if it is still ``queued`` or ``running`` without a lease holder (a dead
  worker's), and commits the job's effect and ``done`` in ONE transaction: a run cut short leaves
  nothing written and the job ready to run again; a run that committed is never repeated.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from jobs.models import ACTIVE, Job, JobStatus

logger = logging.getLogger(__name__)

# First key of the two-key advisory locks (``pg_try_advisory_lock(LOCK_SPACE, job id)``) that are the
# leases of running jobs.
LOCK_SPACE = 0x4A0B
# A job whose run hit a lost database or broker connection is queued again this many times, then failed.
MAX_ATTEMPTS = 3


class Skipped:
    """What ``job_run`` returns when it did not run the job (already done or failed, or another worker
    holds it). Falsy."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Skipped({self.reason!r})"


def resend_after() -> dt.timedelta:
    """How long a queued job waits for a worker before ``jobs_requeue`` sends it again."""
    return dt.timedelta(seconds=int(getattr(settings, "JOBS_RESEND_AFTER_SECONDS", 60)))


# --- sending ----------------------------------------------------------------------------------------


def task_send(*, name: str, kwargs: dict[str, Any] | None = None, args: list[Any] | None = None) -> bool:
    """Publish a Celery message for the task ``name``; never raises. The result is not stored (so the
    result backend, which retries a lost Redis for 20 s, is never touched) and publishing retries are
    bounded by ``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the broker's socket timeouts: with Redis down
    this returns False within a second or two, logged. The caller keeps its record and sends it again
    later."""
    from celery import current_app

    try:
        current_app.send_task(name, args=args, kwargs=kwargs, ignore_result=True)
    except Exception as exc:  # whatever the transport raises: the record stays, the request goes on
        logger.warning("could not queue %s (%s); it stays recorded and is sent again later", name, exc)
        return False
    return True


def job_send(*, job_id: int) -> bool:
    """Send the message of a job (still queued or left running); False when the broker refused it."""
    job = Job.objects.filter(pk=job_id, status__in=ACTIVE).only("task", "kwargs").first()
    if job is None:
        return False
    if not task_send(name=job.task, kwargs={**job.kwargs, "job_id": job.pk}):
        return False
    Job.objects.filter(pk=job_id).update(sends=F("sends") + 1, sent_at=timezone.now())
    return True


def job_submit(
    *, task: str, kwargs: dict[str, Any] | None = None, idempotency_key: str = "", requested_by: str = ""
) -> tuple[Job, bool]:
    """Record a job (queued) in the caller's transaction and send its message once that commits.
    Returns ``(job, created)``: with an ``idempotency_key`` that a queued or running job already has,
    that job and False, and nothing is queued. Redis being down does not raise here (see
    ``task_send``); the job stays queued and ``jobs_requeue`` sends it."""
    key = idempotency_key.strip()[:200]
    with transaction.atomic():
        if key:
            existing = Job.objects.filter(idempotency_key=key, status__in=ACTIVE).first()
            if existing is not None:
                return existing, False
        job = Job(task=task, kwargs=kwargs or {}, idempotency_key=key, requested_by=requested_by[:150])
        job.full_clean()
        try:
            with transaction.atomic():  # a concurrent submission with the same key may win the insert
                job.save()
        except IntegrityError:
            if not key:
                raise
            return Job.objects.get(idempotency_key=key, status__in=ACTIVE), False
        job_id = job.pk
        transaction.on_commit(lambda: job_send(job_id=job_id))
    return job, True


# --- running ----------------------------------------------------------------------------------------


def _try_lease(job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, job_id])
        return bool(cursor.fetchone()[0])


def _end_lease(job_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, job_id])


def leased_job_ids() -> set[int]:
    """The jobs some worker's database session holds the lease of right now (one read of pg_locks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid = %s AND objsubid = 2",
            [LOCK_SPACE],
        )
        return {int(objid) for (objid,) in cursor.fetchall()}


def job_is_leased(*, job_id: int) -> bool:
    """Whether some worker's database session holds the job's lease right now."""
    return job_id in leased_job_ids()


def job_run(*, job_id: int, run: Callable[[], Any]) -> Any:
    """Run ``run()`` as job ``job_id``, once: returns its result, or a falsy ``Skipped`` when the job
    is finished already or another worker holds it. ``run``'s writes and the job's ``done`` commit
    together; an exception marks the job failed (with the error) and is raised again — or, for a lost
    connection, queued again (up to ``MAX_ATTEMPTS`` runs). Call it outside a transaction (a worker
    does), so that ``running`` is visible while it runs."""
    if not _try_lease(job_id):
        logger.info("job %s: another worker holds it; skipped", job_id)
        return Skipped("held by another worker")
    try:
        claimed = Job.objects.filter(pk=job_id, status__in=ACTIVE).update(
            status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(), error=""
        )
        if not claimed:
            logger.info("job %s: already finished; skipped", job_id)
            return Skipped("finished already")
        try:
            with transaction.atomic():
                result = run()
                Job.objects.filter(pk=job_id).update(
                    status=JobStatus.DONE, result=_jsonable(result), finished_at=timezone.now()
                )
        except Exception as exc:
            attempts = Job.objects.values_list("attempts", flat=True).get(pk=job_id)
            transient = isinstance(exc, (OperationalError, InterfaceError, ConnectionError))
            again = transient and attempts < MAX_ATTEMPTS
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.QUEUED if again else JobStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=None if again else timezone.now(),
            )
            raise
        return result
    finally:
        try:
            _end_lease(job_id)
        except Exception:  # the session is gone, and its locks with it
            logger.warning("job %s: could not release its lease", job_id, exc_info=True)


def job_task_result(result: Any) -> Any:
    """What a task returns for ``job_run``'s result: None when it skipped the job."""
    return None if isinstance(result, Skipped) else result


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


# --- sending again ------------------------------------------------------------------------------------


def jobs_stranded(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Jobs nobody is working on: queued for longer than ``resend_after()`` since they were created
    or last sent (the message lost, or never sent because Redis was down), and running without a
    lease holder (their worker died). Oldest first."""
    now = now or timezone.now()
    wait = resend_after()
    found = []
    leased = leased_job_ids()
    for job in Job.objects.filter(status__in=ACTIVE, created_at__lt=now - wait).order_by("created_at")[
        :limit
    ]:
        if job.status == JobStatus.QUEUED:
            # Sent already and still waiting: maybe a busy queue, so back off (1, 2, 4 … 32 × the wait).
            last = job.sent_at or job.created_at
            if last <= now - wait * (2 ** min(max(job.sends - 1, 0), 5)):
                found.append(job.pk)
        elif job.pk not in leased:
            found.append(job.pk)
    return found


def jobs_requeue(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Send again the stranded jobs (``jobs_stranded``); returns the ids whose message Redis took.
    A job that was only slow still runs once: the first message to reach a worker runs it."""
    return [job_id for job_id in jobs_stranded(now=now, limit=limit) if job_send(job_id=job_id)]
