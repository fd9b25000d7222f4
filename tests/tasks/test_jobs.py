"""Jobs recorded in PostgreSQL before they are queued (jobs.services), without a worker: submission in
the caller's transaction and on commit, idempotency keys, the atomic claim and lease, what the requeue
finds, and requests that queue work while the broker is unreachable (202 / redirect within seconds,
the job kept). The same with a real worker and a real Redis outage: tests/tasks/test_job_faults.py."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone
from kombu import pools

from evaluation.models import Period
from jobs import services
from jobs.models import Job, JobStatus
from registry.models import ImportJob
from stations.models import User
from tests import live
from tests.registry.test_imports import GOOD_1, addresses, csv_file  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def submit(key: str = "", **kwargs: Any) -> tuple[Job, bool]:
    return services.job_submit(task="tests.nothing", kwargs=kwargs, idempotency_key=key, requested_by="t")


def test_a_job_is_written_in_the_callers_transaction_and_sent_only_once_it_commits(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        services, "task_send", lambda *, name, kwargs=None, args=None: sent.append((name, kwargs)) or True
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job, created = submit(period_id=7)
    assert created and Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert sent == [] and len(callbacks) == 1  # nothing queued before the commit
    callbacks[0]()
    assert sent == [("tests.nothing", {"period_id": 7, "job_id": job.pk})]
    job.refresh_from_db()
    assert (job.sends, job.sent_at is not None) == (1, True)


def test_the_same_key_while_queued_or_running_returns_the_first_job_and_queues_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created = submit("k-1")
        again, created_again = submit("k-1")
        other, _ = submit("k-2")
    assert created and not created_again and again.pk == first.pk and other.pk != first.pk
    assert len(callbacks) == 2
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    assert submit("k-1")[0].pk == first.pk
    Job.objects.filter(pk=first.pk).update(status=JobStatus.DONE)
    fresh, created = submit("k-1")  # finished: the same work may be asked for again
    assert created and fresh.pk != first.pk


def test_a_job_runs_once_and_a_second_delivery_is_skipped() -> None:
    job, _ = submit()
    calls: list[int] = []
    assert services.job_run(job_id=job.pk, run=lambda: calls.append(1) or 42) == 42
    second = services.job_run(job_id=job.pk, run=lambda: calls.append(2) or 43)
    assert not second and second.reason == "finished already"
    job.refresh_from_db()
    assert (calls, job.status, job.result, job.attempts) == ([1], JobStatus.DONE, 42, 1)


def other_session() -> Any:
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname=db["NAME"], user=db.get("USER") or None, password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None, port=db.get("PORT") or None,
    )  # fmt: skip
    conn.autocommit = True
    return conn


@pytest.fixture
def foreign_lease() -> Iterator[Any]:
    """Take a job's lease from another database session (as another worker would); yields a function."""
    conn = other_session()

    def take(job_id: int) -> None:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOCK_SPACE, job_id])

    try:
        yield take
    finally:
        conn.close()


def test_a_job_another_worker_holds_is_skipped_and_not_touched(foreign_lease: Any) -> None:
    job, _ = submit()
    foreign_lease(job.pk)
    assert services.job_is_leased(job_id=job.pk)
    skipped = services.job_run(job_id=job.pk, run=lambda: pytest.fail("ran a job another worker holds"))
    assert not skipped and skipped.reason == "held by another worker"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)


def test_a_failure_is_recorded_and_a_lost_connection_queues_the_job_again() -> None:
    job, _ = submit()

    def boom() -> None:
        raise ValueError("no such period")

    with pytest.raises(ValueError):
        services.job_run(job_id=job.pk, run=boom)
    job.refresh_from_db()
    assert (job.status, job.error, job.attempts) == (JobStatus.FAILED, "ValueError: no such period", 1)

    flaky, _ = submit()

    def lost() -> None:
        raise OperationalError("server closed the connection unexpectedly")

    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        with pytest.raises(OperationalError):
            services.job_run(job_id=flaky.pk, run=lost)
        flaky.refresh_from_db()
        assert flaky.attempts == attempt
        assert flaky.status == (JobStatus.QUEUED if attempt < services.MAX_ATTEMPTS else JobStatus.FAILED)
    assert not services.job_is_leased(job_id=flaky.pk)  # the lease ends with every run


def test_the_requeue_finds_unsent_and_lost_jobs_and_dead_workers_jobs_only(
    foreign_lease: Any, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    wait = services.resend_after()
    old = now - wait - dt.timedelta(seconds=5)
    unsent, _ = submit()
    sent_long_ago, _ = submit()
    sent_just_now, _ = submit()
    young, _ = submit()
    dead_worker, _ = submit()
    live_worker, _ = submit()
    done, _ = submit()
    Job.objects.filter(
        pk__in=[unsent.pk, sent_long_ago.pk, sent_just_now.pk, dead_worker.pk, live_worker.pk, done.pk]
    ).update(created_at=old)
    Job.objects.filter(pk=sent_long_ago.pk).update(sends=1, sent_at=old)
    Job.objects.filter(pk=sent_just_now.pk).update(sends=1, sent_at=now)
    Job.objects.filter(pk__in=[dead_worker.pk, live_worker.pk]).update(
        status=JobStatus.RUNNING, started_at=old
    )
    Job.objects.filter(pk=done.pk).update(status=JobStatus.DONE)
    foreign_lease(live_worker.pk)

    with django_assert_max_num_queries(2):  # the active jobs and the held leases, however many
        stranded = services.jobs_stranded(now=now)
    found = set(stranded) & {
        j.pk for j in (unsent, sent_long_ago, sent_just_now, young, dead_worker, live_worker, done)
    }
    assert found == {unsent.pk, sent_long_ago.pk, dead_worker.pk}
    # A job sent again and still waiting (a busy queue) backs off: the second resend waits twice as long.
    Job.objects.filter(pk=sent_long_ago.pk).update(sends=2, sent_at=now - wait - dt.timedelta(seconds=5))
    assert sent_long_ago.pk not in services.jobs_stranded(now=now)
    assert sent_long_ago.pk in services.jobs_stranded(now=now + wait)


# --- the broker unreachable -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def broker_down() -> Iterator[None]:
    """Point the Celery app of this process at a Redis port nobody listens on."""
    from portal.celery import app

    saved = live._point_app_at(app, broker_url=f"redis://127.0.0.1:{free_port()}/0", queue="test-nowhere")
    try:
        yield
    finally:
        live._restore_app(app, saved)
        # Pointing the app elsewhere force-closed the pool of the broker it used before, which kombu
        # keeps registered under that URL ("Acquire on closed pool" at the next send): forget them all.
        pools.reset()


def timed(call: Any) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def test_with_the_broker_down_requests_answer_at_once_and_keep_their_jobs(
    broker_down: None, officer: User, province_admin: User, api: Any, client: Any,
    addresses: Any, django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:  # fmt: skip
    period = Period.objects.filter(scores__isnull=False).first()
    before = set(Job.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        recompute, took_api = timed(
            lambda: api(officer).post("/api/v1/registry/quality/recompute/", HTTP_IDEMPOTENCY_KEY="r1")
        )
    assert recompute.status_code == 202, recompute.content
    with django_capture_on_commit_callbacks(execute=True):
        upload, took_import = timed(
            lambda: api(officer).post(
                "/api/v1/registry/imports/",
                {"kind": "persons", "file": csv_file([GOOD_1])},
                format="multipart",
            )
        )
    assert upload.status_code == 202, upload.content
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        page, took_page = timed(lambda: client.post("/evaluation/recompute/", {"period": period.pk}))
    assert page.status_code == 302
    assert max(took_api, took_import, took_page) < 5, (took_api, took_import, took_page)

    new = Job.objects.exclude(pk__in=before)
    assert sorted(new.values_list("task", "status", "sends")) == [
        ("evaluation.tasks.assessment_score_task", "queued", 0),
        ("registry.tasks.quality_recompute_task", "queued", 0),
    ]
    assert recompute.json()["job"] in set(new.values_list("pk", flat=True))
    assert ImportJob.objects.get(pk=upload.json()["id"]).status == "queued"
    assert "could not queue" in caplog.text


# --- idempotency keys through the API and the page ------------------------------------------------------

RECOMPUTE = "/api/v1/registry/quality/recompute/"


def test_the_api_answers_a_repeated_idempotency_key_with_the_first_job(
    officer: User, station_head: User, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = api(officer).post(RECOMPUTE, HTTP_IDEMPOTENCY_KEY="abc")
        retried = api(officer).post(RECOMPUTE, HTTP_IDEMPOTENCY_KEY="abc")
        someone_else = api(station_head).post(RECOMPUTE, HTTP_IDEMPOTENCY_KEY="abc")
    assert [r.status_code for r in (first, retried, someone_else)] == [202, 202, 202]
    assert (first.json()["replayed"], retried.json()["replayed"]) == (False, True)
    assert retried.json()["job"] == first.json()["job"] and first.json()["status"] == "queued"
    assert someone_else.json()["job"] != first.json()["job"]  # keys are per user
    assert len(callbacks) == 2  # two jobs queued, not three
    job = Job.objects.get(pk=first.json()["job"])
    assert job.task == "registry.tasks.quality_recompute_task" and job.requested_by == "officer"
    assert api(officer).post(RECOMPUTE, HTTP_IDEMPOTENCY_KEY="x" * 101).status_code == 400


def test_the_schema_documents_the_idempotency_key_header(api: Any, officer: User) -> None:
    doc = api(officer).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = doc["paths"]["/api/v1/registry/quality/recompute/"]["post"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert "202" in operation["responses"]


def test_the_recompute_page_twice_queues_one_scoring_job(
    province_admin: User, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    period = Period.objects.filter(scores__isnull=False).first()
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post("/evaluation/recompute/", {"period": period.pk}).status_code == 302
        assert client.post("/evaluation/recompute/", {"period": period.pk}).status_code == 302
    jobs = Job.objects.filter(task="evaluation.tasks.assessment_score_task", kwargs__period_id=period.pk)
    assert jobs.count() == 1 and len(callbacks) == 1
    assert jobs.get().kwargs == {"period_id": period.pk, "triggered_by": "province_admin"}


# --- beat and the tasks ----------------------------------------------------------------------------------


def test_beat_records_scoring_ledgers_and_quality_as_jobs_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from evaluation.tasks import assessment_score_submit_task, ledgers_generate_submit_task
    from portal.schedules import BEAT_SCHEDULE
    from registry.tasks import quality_recompute_submit_task

    scheduled = {entry["task"]: entry for entry in BEAT_SCHEDULE.values()}
    submitters = {
        "evaluation.tasks.assessment_score_submit_task",
        "evaluation.tasks.ledgers_generate_submit_task",
        "registry.tasks.quality_recompute_submit_task",
    }
    assert submitters <= set(scheduled)
    # Beat never sends the work itself (its message would be the only record of it).
    assert not {"evaluation.tasks.assessment_score_task", "evaluation.tasks.ledgers_generate_task",
                "registry.tasks.quality_recompute_task"} & set(scheduled)  # fmt: skip
    assert scheduled["jobs.tasks.jobs_requeue_task"]["schedule"] <= 60

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = [
            assessment_score_submit_task(),
            ledgers_generate_submit_task(),
            quality_recompute_submit_task(),
            assessment_score_submit_task(),  # beat's message delivered twice
        ]
    assert ids[3] == ids[0] and len(set(ids)) == 3 and len(callbacks) == 3
    jobs = {job.task: job for job in Job.objects.filter(pk__in=ids)}
    first = timezone.localdate().replace(day=1)
    last_month = Period.objects.get(kind="month", start=(first - dt.timedelta(days=1)).replace(day=1))
    assert jobs["evaluation.tasks.assessment_score_task"].kwargs["period_id"] == last_month.pk
    assert jobs["evaluation.tasks.ledgers_generate_task"].kwargs == {"period_id": last_month.pk}
    assert jobs["registry.tasks.quality_recompute_task"].kwargs == {"day": timezone.localdate().isoformat()}
    assert {job.requested_by for job in jobs.values()} == {"celery beat"}


def test_the_scoring_task_runs_its_job_once(django_capture_on_commit_callbacks: Any) -> None:
    from evaluation.models import ScoreRun
    from evaluation.tasks import assessment_score_task, score_submit

    period = Period.objects.filter(scores__isnull=False).first()
    runs = ScoreRun.objects.filter(period=period).count()
    with django_capture_on_commit_callbacks(execute=False):
        job, _ = score_submit(period=period, requested_by="t")
    message = {**job.kwargs, "job_id": job.pk}
    scored = assessment_score_task(**message)
    assert scored and assessment_score_task(**message) is None  # the second delivery is skipped
    assert ScoreRun.objects.filter(period=period).count() == runs + 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 1, scored)


def test_the_pending_jobs_command_lists_and_requeues(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command

    monkeypatch.setattr(services, "task_send", lambda **kwargs: True)
    job, _ = submit()
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - 2 * services.resend_after())
    call_command("jobs_pending", "--requeue")
    out = capsys.readouterr().out
    assert f"{job.pk}\tqueued\ttests.nothing" in out and f"sent again: {job.pk}" in out
    assert Job.objects.get(pk=job.pk).sends == 1
