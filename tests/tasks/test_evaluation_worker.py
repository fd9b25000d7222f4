"""Scoring runs through a real Celery worker and Redis (``celery_worker``, bound in tests/conftest.py).

The worker is another process and sees committed rows only, so these tests commit: they score a period
of their own (a year period over the demo's data, which no other test uses) and delete it afterwards,
its scores and runs going with it. They are marked transactional rather than taking ``committed_db``
alone: pytest-django creates the test database only for a session holding a ``django_db`` test, and a
session of ``committed_db`` tests alone would load the demo into, and score, the development database."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evaluation import services
from evaluation.models import Period, PeriodKind, RunStatus, Score, ScoreRun
from evaluation.tasks import assessment_score_task
from tests import live
from tests.live import CeleryWorker

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_period() -> Iterator[Period]:
    """A committed year period over the data the demo made (its latest scored month and the year before
    it), removed afterwards with its scores and runs."""
    from django.conf import settings

    from stations.models import Station

    assert settings.DATABASES["default"]["NAME"].startswith("test_"), "not on the test database"
    if not Station.objects.filter(is_active=True).exists():
        pytest.fail("these tests score the demo's stations; the test database has none")
    month = Period.objects.filter(kind=PeriodKind.MONTH, scores__isnull=False).order_by("-start").first()
    end = month.end if month else dt.date.today()
    start = dt.date(end.year, 1, 1)
    if Period.objects.filter(kind=PeriodKind.YEAR, start=start).exists():
        pytest.fail(f"a year period starting {start} is left over from an earlier run; remove it")
    period = Period.objects.create(kind=PeriodKind.YEAR, start=start, end=end)
    try:
        yield period
    finally:
        period.delete()  # its scores, runs and appeals cascade


def rows(period: Period) -> dict[str, dict[str, Any]]:
    """What a reader sees of the period's scores: unit → every scored field, with the row's id."""
    return {
        row["unit_key"]: row
        for row in Score.objects.filter(period=period).values(
            "id", "unit_key", "level", "station_id", "region_id", "total", "max_points", "rank", "breakdown"
        )
    }


def expected(period: Period) -> dict[str, dict[str, Any]]:
    """The same fields computed in this process (``services.assessment_compute``, nothing written)."""
    scores, fields = services.assessment_compute(period=period)
    return {
        key: {
            "unit_key": key, "level": s.level, **fields[key], "total": Decimal(f"{s.total:.2f}"),
            "max_points": Decimal(f"{s.max_points:.2f}"), "rank": s.rank,
            "breakdown": json.loads(json.dumps(s.breakdown)),  # as stored: JSON
        }
        for key, s in scores.items()
    }  # fmt: skip


def without_ids(found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key: {k: v for k, v in row.items() if k != "id"} for key, row in found.items()}


def test_the_worker_scores_a_period_as_computed_in_process_and_a_rerun_is_idempotent(
    celery_worker: CeleryWorker, worker_period: Period
) -> None:
    want = expected(worker_period)
    assert sum(1 for s in want.values() if s["level"] == "station") >= 2
    assert any(line["points"] is not None for s in want.values() for line in s["breakdown"]), "nothing scored"

    scored = assessment_score_task.delay(worker_period.pk).get(timeout=120)

    assert scored == len(want)
    first = rows(worker_period)
    assert without_ids(first) == want, celery_worker.log()[-3000:]
    assert ScoreRun.objects.get(period=worker_period).status == RunStatus.DONE

    # Safe to run twice: the same rows (same ids, same figures), no duplicates, one more run recorded.
    assert assessment_score_task.delay(worker_period.pk).get(timeout=120) == len(want)
    assert rows(worker_period) == first
    assert Score.objects.filter(period=worker_period).count() == len(want)
    assert list(ScoreRun.objects.filter(period=worker_period).values_list("status", flat=True)) == [
        RunStatus.DONE, RunStatus.DONE,
    ]  # fmt: skip


@pytest.fixture
def pausing_worker(
    celery_worker: CeleryWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CeleryWorker]:
    """A second real worker on a queue of its own (same Redis, same test database) whose scoring runs
    pause for a minute inside their transaction, right after inserting their scores
    (``services.TEST_PAUSE_ENV``, read by the worker from its environment): the point to kill it at.
    The session's worker is left alone for the tests after this one."""
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    queue, hostname = f"test-pause-{token}", f"test-pause-{token}@localhost"
    log_path = tmp_path / "pausing-worker.log"
    monkeypatch.setenv(services.TEST_PAUSE_ENV, "60")  # _start_worker passes os.environ on
    process = live._start_worker(
        queue=queue, hostname=hostname, broker_url=celery_worker.broker_url, log_path=log_path
    )
    monkeypatch.delenv(services.TEST_PAUSE_ENV)
    worker = CeleryWorker(hostname=hostname, queue=queue, broker_url=celery_worker.broker_url,
                          database=celery_worker.database, log_path=log_path, process=process)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not worker.ping(timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the pausing worker did not start:\n{worker.log()[-3000:]}")
            time.sleep(0.2)
        yield worker
    finally:
        live._stop_worker(process)
        from portal.celery import app

        with app.connection_for_write() as connection:  # its queue, and the killed task's message
            channel = connection.default_channel  # which Redis holds as unacknowledged until redelivery
            for tag, payload in channel.client.hgetall(channel.unacked_key).items():
                if json.loads(payload)[2] == queue:  # [message, exchange, routing key]
                    channel.client.hdel(channel.unacked_key, tag)
                    channel.client.zrem(channel.unacked_index_key, tag)
            channel.queue_purge(queue)
            channel.queue_delete(queue)


def wait_for(predicate: Any, what: str, worker: CeleryWorker, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{worker.log()[-3000:]}")
        time.sleep(0.2)


def test_a_worker_killed_mid_run_leaves_no_half_written_scores(
    celery_worker: CeleryWorker, pausing_worker: CeleryWorker, worker_period: Period
) -> None:
    want = expected(worker_period)
    assessment_score_task.apply_async(args=[worker_period.pk], queue=pausing_worker.queue)
    wait_for(lambda: "evaluation test pause" in pausing_worker.log(), "the run to write part of its scores",
             pausing_worker)  # fmt: skip
    assert f"wrote {len(want)} scores uncommitted" in pausing_worker.log()

    pausing_worker.process.send_signal(signal.SIGKILL)
    assert pausing_worker.process.wait(timeout=10) == -signal.SIGKILL

    # The killed run wrote every new score but committed nothing: no score is visible, and its run
    # was never marked done. Its rows' locks went with its connection, so a reader does not wait.
    assert rows(worker_period) == {}
    killed = ScoreRun.objects.get(period=worker_period)
    assert killed.status == RunStatus.RUNNING and killed.finished_at is None

    # Run again on a live worker: the whole period scored, exactly as computed in process, once each.
    assert assessment_score_task.delay(worker_period.pk).get(timeout=120) == len(want)
    assert without_ids(rows(worker_period)) == want
    assert Score.objects.filter(period=worker_period).count() == len(want)
    runs = {run.pk: run for run in ScoreRun.objects.filter(period=worker_period)}
    assert len(runs) == 2
    assert runs[killed.pk].status == RunStatus.FAILED and "interrupted" in runs[killed.pk].error
    assert [r.status for pk, r in runs.items() if pk != killed.pk] == [RunStatus.DONE]
