"""Fault injection on the job queue, with real Celery workers and Redis: a Redis outage while officers
submit work, one job delivered twice at once, a worker SIGKILLed in the middle of generating ledgers.
Each proves that nothing reported done is lost and nothing is done twice (jobs.services).

Like tests/tasks/test_evaluation_worker.py these are transactional (the workers see committed rows
only) and work on a year period of their own over the demo's data; the harness restores the demo after
each. The outage test runs its own ``redis-server`` on a free port: the shared one is never stopped."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.cn import ric

from evaluation import ledgers as ledger_registry
from evaluation import services as evaluation_services
from evaluation.models import GeneratedLedger, LedgerDefinition, Period, Score, ScoreRun
from evaluation.tasks import assessment_score_task, ledgers_generate_task, ledgers_submit, score_submit
from jobs import services as job_services
from jobs.models import Job, JobStatus
from registry.imports.pipeline import STALE_AFTER
from registry.imports.services import imports_requeue_stranded
from registry.models import Address, ImportJob, Person, QualityRate
from stations.models import Station, User
from tests import live
from tests.live import CeleryWorker
from tests.tasks import test_evaluation_worker as scoring
from tests.tasks.test_evaluation_worker import expected, rows, without_ids

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

worker_period = scoring.worker_period  # a committed year period of the test's own (fixture)


# --- helpers ----------------------------------------------------------------------------------------------


def wait_for(predicate: Callable[[], Any], what: str, logs: Callable[[], str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{logs()[-4000:]}")
        time.sleep(0.2)


def start_workers(
    count: int, *, broker_url: str, queue: str, tmp_path: Path, env: dict[str, str] | None = None
) -> list[CeleryWorker]:
    """``count`` real solo workers consuming ``queue`` on ``broker_url`` (the test database), started
    together and answering pings; ``env`` is added to their environment."""
    saved = {name: os.environ.get(name) for name in env or {}}
    os.environ.update(env or {})
    try:
        workers = []
        for n in range(count):
            hostname = f"{queue}-{n}@localhost"
            log_path = tmp_path / f"{queue}-{n}.log"
            process = live._start_worker(
                queue=queue, hostname=hostname, broker_url=broker_url, log_path=log_path
            )
            workers.append(
                CeleryWorker(
                    hostname=hostname,
                    queue=queue,
                    broker_url=broker_url,
                    log_path=log_path,
                    process=process,
                    database="",
                )  # fmt: skip
            )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    deadline = time.monotonic() + 60
    for worker in workers:
        while not worker.ping(timeout=0.5):
            if worker.process.poll() is not None or time.monotonic() > deadline:
                stop_workers(workers)
                pytest.fail(f"a worker did not start:\n{worker.log()[-3000:]}")
            time.sleep(0.2)
    return workers


def stop_workers(workers: list[CeleryWorker]) -> None:
    for worker in workers:
        live._stop_worker(worker.process)


def forget_queue(queue: str) -> None:
    """Remove a test queue from the Redis the app points at, with messages a killed worker left
    unacknowledged (Redis would hand them out again after the visibility timeout)."""
    import json

    from portal.celery import app

    with contextlib.suppress(Exception), app.connection_for_write() as connection:
        channel = connection.default_channel
        for tag, payload in channel.client.hgetall(channel.unacked_key).items():
            if json.loads(payload)[2] == queue:  # [message, exchange, routing key]
                channel.client.hdel(channel.unacked_key, tag)
                channel.client.zrem(channel.unacked_index_key, tag)
        channel.queue_purge(queue)
        channel.queue_delete(queue)


@contextlib.contextmanager
def not_sent() -> Iterator[None]:
    """Submit without sending (the test then delivers the job's messages where it wants them)."""
    original = job_services.task_send
    job_services.task_send = lambda **kwargs: True  # type: ignore[assignment]
    try:
        yield
    finally:
        job_services.task_send = original  # type: ignore[assignment]


def expected_ledgers(period: Period) -> dict[tuple[int, int], str]:
    """(definition, station) → checksum of every ledger a full run must leave, computed in process."""
    station_ids = list(Station.objects.filter(is_active=True).values_list("pk", flat=True))
    want = {}
    for definition in LedgerDefinition.objects.filter(is_active=True):
        fn = ledger_registry.GENERATORS.get(definition.generator)
        by_station = fn(station_ids, period) if fn else {}
        columns = definition.columns or ledger_registry.COLUMNS.get(definition.generator, [])
        for station_id in station_ids:
            table = [{c: row.get(c) for c in columns} for row in by_station.get(station_id, [])]
            want[(definition.pk, station_id)] = ledger_registry.checksum(columns, table)
    return want


def ledgers(period: Period) -> dict[tuple[int, int], str]:
    return {
        (d, s): c for d, s, c in GeneratedLedger.objects.filter(period=period).values_list("definition", "station", "checksum")
    }  # fmt: skip


def finished_at(log: str, task: str) -> list[tuple[str, str]]:
    """(timestamp, return value) of each delivery of ``task`` a worker finished."""
    return re.findall(
        rf"\[([0-9: ,-]+): INFO/MainProcess\] Task {re.escape(task)}\[[^\]]+\] succeeded in [0-9.]+s: (.*)",
        log,
    )


def successes(log: str, task: str) -> list[str]:
    """The return values a worker logged for ``task``, one per delivery it finished."""
    return re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [0-9.]+s: (.*)", log)


# --- the same job delivered twice, concurrently -------------------------------------------------------------


def test_one_job_delivered_twice_at_once_to_two_workers_scores_once(
    celery_worker: CeleryWorker, worker_period: Period, tmp_path: Path
) -> None:
    want = expected(worker_period)
    queue = f"test-twice-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    # Both workers pause 3 s inside the scoring transaction, so the two deliveries overlap.
    workers = start_workers(
        2, broker_url=celery_worker.broker_url, queue=queue, tmp_path=tmp_path,
        env={evaluation_services.TEST_PAUSE_ENV: "3"},
    )  # fmt: skip
    logs = lambda: "\n".join(w.log() for w in workers)  # noqa: E731
    try:
        with not_sent():
            job, created = score_submit(period=worker_period, requested_by="test")
        assert created
        message = {"period_id": worker_period.pk, "job_id": job.pk, "triggered_by": "test"}
        for _ in range(2):  # a redelivery and the original, or a requeue racing a slow worker
            assessment_score_task.apply_async(kwargs=message, queue=queue)
        name = "evaluation.tasks.assessment_score_task"
        wait_for(
            lambda: sum(len(successes(w.log(), name)) for w in workers) == 2, "both deliveries", logs, 60
        )
    finally:
        stop_workers(workers)
        forget_queue(queue)

    # Each worker took one message (prefetch 1, acks late); exactly one ran the scoring, and the other
    # skipped it while the first was still inside its transaction (it paused there for 3 s).
    done = [successes(w.log(), name) for w in workers]
    assert sorted(len(d) for d in done) == [1, 1], logs()
    assert sorted(d[0] for d in done) == sorted(["None", str(len(want))]), logs()
    assert logs().count("evaluation test pause") == 1
    stamps = {value: stamp for w in workers for stamp, value in finished_at(w.log(), name)}
    assert stamps["None"] < stamps[str(len(want))], "the second delivery did not overlap the first"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 1, len(want))
    assert ScoreRun.objects.filter(period=worker_period).count() == 1
    assert without_ids(rows(worker_period)) == want
    assert Score.objects.filter(period=worker_period).count() == len(want)


# --- a worker SIGKILLed in the middle of generating ledgers ------------------------------------------------


def test_a_worker_killed_mid_ledger_run_leaves_nothing_and_the_job_is_rerun_once(
    celery_worker: CeleryWorker, worker_period: Period, tmp_path: Path
) -> None:
    want = expected_ledgers(worker_period)
    assert len(want) >= 10 and not ledgers(worker_period)
    queue = f"test-kill-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    [doomed] = start_workers(
        1, broker_url=celery_worker.broker_url, queue=queue, tmp_path=tmp_path,
        env={evaluation_services.LEDGERS_TEST_PAUSE_ENV: "60"},
    )  # fmt: skip
    try:
        with not_sent():
            job, _ = ledgers_submit(period=worker_period, requested_by="test")
        ledgers_generate_task.apply_async(
            kwargs={"period_id": worker_period.pk, "job_id": job.pk}, queue=queue
        )
        wait_for(
            lambda: "evaluation test pause: ledgers" in doomed.log(),
            "the run to write its ledgers",
            doomed.log,
        )
        assert f"ledgers wrote {len(want)} uncommitted" in doomed.log()
        job.refresh_from_db()
        assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
        assert job_services.job_is_leased(job_id=job.pk)

        doomed.process.send_signal(signal.SIGKILL)
        assert doomed.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        stop_workers([doomed])
        forget_queue(queue)

    # Nothing the killed run wrote is visible; its job is left running, but its lease went with its
    # database session, so the requeue (beat, every minute) sends it again.
    assert ledgers(worker_period) == {}
    wait_for(lambda: not job_services.job_is_leased(job_id=job.pk), "the lease to end", celery_worker.log, 15)
    later = timezone.now() + job_services.resend_after()
    assert job.pk in job_services.jobs_stranded(now=later)
    assert job.pk in job_services.jobs_requeue(now=later)  # to the session's live worker
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
        "the rerun",
        celery_worker.log,
    )

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (JobStatus.DONE, 2, len(want)), job.error
    assert ledgers(worker_period) == want  # every ledger, once, with the right content
    assert GeneratedLedger.objects.filter(period=worker_period).count() == len(want)
    # A late copy of the message (Redis redelivering the killed worker's) changes nothing.
    late = ledgers_generate_task.apply_async(kwargs={"period_id": worker_period.pk, "job_id": job.pk})
    assert late.get(timeout=30) is None
    assert ledgers(worker_period) == want
    assert Job.objects.get(pk=job.pk).attempts == 2


# --- Redis stopped for a minute while officers submit work ---------------------------------------------------


def restore_app(app: Any, saved: dict[str, Any]) -> None:
    """``live._restore_app``, and then forget kombu's connection pools: pointing the app elsewhere
    force-closed the pool of the broker it used before, and kombu keeps that closed pool registered
    under the broker's URL — the next send there would fail with "Acquire on closed pool"."""
    from kombu import pools

    live._restore_app(app, saved)
    pools.reset()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A ``redis-server`` of this test only, without persistence (a restart loses every message, as
    a Redis that is replaced or emptied does)."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def nid(seq: int) -> str:
    body = f"62010219920202{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def persons_csv(user: User, code: str, count: int) -> SimpleUploadedFile:
    station = user.home_station
    Address.objects.create(
        code=code, level="room", county=station.county, station=station, name=code, full_text=code
    )
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["national_id", "name", "phone", "address_code"])
    for seq in range(count):
        out.writerow([nid(seq + (500 if code.endswith("B") else 0)), f"人{seq}", "13812345678", code])
    return SimpleUploadedFile(f"{code}.csv", buffer.getvalue().encode(), content_type="text/csv")


def quality_rows(day: Any) -> list[tuple[Any, ...]]:
    return sorted(
        QualityRate.objects.filter(day=day).values_list(
            "kind", "station_id", "region_id", "total", "complete"
        ),
        key=repr,
    )


OUTAGE_SECONDS = 60


def test_redis_stopped_for_a_minute_loses_no_submitted_job_and_runs_each_once(
    private_redis: PrivateRedis, worker_period: Period, tmp_path: Path, client: Any
) -> None:
    from rest_framework.test import APIClient

    from portal.celery import app

    users = {u.username: u for u in User.objects.select_related("home_station__county").filter(
        username__in=["officer", "officer_b", "province_admin"])}  # fmt: skip
    officer, officer_b = users["officer"], users["officer_b"]
    today = timezone.localdate()
    QualityRate.objects.filter(day=today).delete()
    uploads = {
        "officer": persons_csv(officer, "T-OUTAGE-A", 40),
        "officer_b": persons_csv(officer_b, "T-OUTAGE-B", 25),
    }
    queue = f"test-outage-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    saved = live._point_app_at(app, broker_url=private_redis.url, queue=queue)  # restored by restore_app
    workers: list[CeleryWorker] = []
    try:
        private_redis.stop()
        down_at = time.monotonic()
        timings: dict[str, float] = {}

        def timed(label: str, call: Callable[[], Any]) -> Any:
            start = time.monotonic()
            response = call()
            timings[label] = time.monotonic() - start
            return response

        api = APIClient()
        api.force_authenticate(officer)
        imported = timed(
            "import (API)",
            lambda: api.post(
                "/api/v1/registry/imports/",
                {"kind": "persons", "file": uploads["officer"]},
                format="multipart",
            ),
        )
        client.force_login(officer_b)
        page_import = timed(
            "import (page)",
            lambda: client.post("/registry/imports/", {"kind": "persons", "file": uploads["officer_b"]}),
        )
        recompute = timed(
            "quality recompute (API)",
            lambda: api.post("/api/v1/registry/quality/recompute/", HTTP_IDEMPOTENCY_KEY="outage-1"),
        )
        retried = timed(
            "quality recompute retried (API)",
            lambda: api.post("/api/v1/registry/quality/recompute/", HTTP_IDEMPOTENCY_KEY="outage-1"),
        )
        client.force_login(users["province_admin"])
        score_page = timed(
            "scoring (page)", lambda: client.post("/evaluation/recompute/", {"period": worker_period.pk})
        )
        beat = timed(
            "ledgers (beat trigger)", lambda: ledgers_submit(period=worker_period, requested_by="celery beat")
        )

        assert (imported.status_code, page_import.status_code) == (202, 302), imported.content
        assert (recompute.status_code, retried.status_code, score_page.status_code) == (202, 202, 302)
        assert retried.json()["job"] == recompute.json()["job"] and retried.json()["replayed"] is True
        assert max(timings.values()) < 3, timings
        import_ids = [imported.json()["id"], int(page_import["Location"].rstrip("/").split("/")[-1])]
        job_ids = [recompute.json()["job"], beat[0].pk]
        job_ids.append(
            Job.objects.get(
                task="evaluation.tasks.assessment_score_task", kwargs__period_id=worker_period.pk
            ).pk
        )
        # Recorded, nothing sent: all wait in PostgreSQL.
        assert set(Job.objects.filter(pk__in=job_ids).values_list("status", "sends")) == {("queued", 0)}
        assert set(ImportJob.objects.filter(pk__in=import_ids).values_list("status", flat=True)) == {"queued"}

        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
        private_redis.start()  # empty: whatever it held before is gone too
        workers = start_workers(1, broker_url=private_redis.url, queue=queue, tmp_path=tmp_path)

        # What beat runs: the imports' requeue every five minutes, the jobs' every minute (past their
        # wait). The imports are let finish first, so that what the recomputes saw is the final data.
        later = timezone.now() + STALE_AFTER
        assert sorted(set(import_ids) & set(imports_requeue_stranded(now=later))) == sorted(import_ids)
        unfinished = lambda model, ids: model.objects.filter(pk__in=ids, status__in=["queued", "running"])  # noqa: E731
        wait_for(lambda: not unfinished(ImportJob, import_ids).exists(), "the imports", workers[0].log, 60)
        resent = job_services.jobs_requeue(now=timezone.now() + job_services.resend_after())
        assert sorted(set(job_ids) & set(resent)) == sorted(job_ids)
        wait_for(lambda: not unfinished(Job, job_ids).exists(), "the jobs", workers[0].log, 60)
        # Beat comes round again: nothing is left to send, so nothing runs twice.
        assert not set(job_ids) & set(
            job_services.jobs_requeue(now=timezone.now() + 10 * job_services.resend_after())
        )
        assert not set(import_ids) & set(imports_requeue_stranded(now=timezone.now() + 2 * STALE_AFTER))
        time.sleep(1)
    finally:
        stop_workers(workers)
        forget_queue(queue)
        restore_app(app, saved)

    log = workers[0].log()
    imports = {j.pk: j for j in ImportJob.objects.filter(pk__in=import_ids)}
    assert [(imports[pk].status, imports[pk].rows_ok, imports[pk].rows_bad) for pk in import_ids] == [
        ("done", 40, 0), ("done", 25, 0),
    ], log[-3000:]  # fmt: skip
    assert [Person.objects.filter(import_job_id=pk).count() for pk in import_ids] == [40, 25]
    assert len(successes(log, "registry.tasks.import_run")) == 2

    jobs = {job.pk: job for job in Job.objects.filter(pk__in=job_ids)}
    assert {pk: (j.status, j.attempts, j.sends) for pk, j in jobs.items()} == {
        pk: ("done", 1, 1) for pk in job_ids
    }
    for task in ("registry.tasks.quality_recompute_task", "evaluation.tasks.ledgers_generate_task",
                 "evaluation.tasks.assessment_score_task"):  # fmt: skip
        assert len(successes(log, task)) == 1, task
    # Each ran once, with the right result: what a run in this process over the same data gives.
    want_scores, want_ledgers = expected(worker_period), expected_ledgers(worker_period)
    assert jobs[job_ids[2]].result == len(want_scores) and without_ids(rows(worker_period)) == want_scores
    assert ScoreRun.objects.filter(period=worker_period).count() == 1
    assert jobs[job_ids[1]].result == len(want_ledgers) and ledgers(worker_period) == want_ledgers
    assert jobs[job_ids[0]].result == today.isoformat()
    computed = quality_rows(today)
    assert computed
    from registry.quality import quality_recompute

    quality_recompute(day=today)
    assert quality_rows(today) == computed
