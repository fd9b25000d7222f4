"""``/metrics`` (Prometheus, issue 8 item 7): not public; requests, database queries, task durations
measured by a real worker, Celery queue depth and registry imports waiting all appear in a scrape."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from prometheus_client.parser import text_string_to_metric_families

from common import metrics
from registry.choices import ImportStatus, RecordKind
from registry.models import ImportJob
from stations.models import User
from tests import live
from tests.live import CeleryWorker

URL = "/metrics"
TOKEN = "m" * 40


def scrape(client: Client | None = None) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of one scrape, by (name, labels)."""
    response = (client or Client()).get(URL)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    """The sum of the samples called ``name`` whose labels include ``labels`` (0 when none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_loopback_and_nobody_else() -> None:
    assert Client(REMOTE_ADDR="127.0.0.1").get(URL).status_code == 200
    assert Client(REMOTE_ADDR="::1").get(URL).status_code == 200
    assert Client(REMOTE_ADDR="10.20.30.40").get(URL).status_code == 404
    # Through a proxy on the same machine every request comes from loopback: not let in by address.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.get(URL).status_code == 404
    # No token configured: a bearer header opens nothing.
    assert Client(REMOTE_ADDR="10.20.30.40").get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


@pytest.mark.django_db
def test_metrics_answer_a_bearer_token_from_settings_and_a_configured_network() -> None:
    remote = Client(REMOTE_ADDR="10.20.30.40", HTTP_X_FORWARDED_FOR="203.0.113.9")
    with override_settings(METRICS_TOKEN=TOKEN):
        ok = remote.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert ok.status_code == 200 and b"django_http_requests" in ok.content
        assert remote.get(URL, HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x").status_code == 404
        assert remote.get(URL, HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 404
        assert remote.get(URL).status_code == 404
    with override_settings(METRICS_ALLOWED_IPS=["10.20.0.0/16"]):
        assert Client(REMOTE_ADDR="10.20.30.40").get(URL).status_code == 200
        assert Client(REMOTE_ADDR="127.0.0.1").get(URL).status_code == 404


@pytest.mark.django_db
def test_a_signed_in_user_from_elsewhere_gets_no_metrics(officer: User) -> None:
    client = Client(REMOTE_ADDR="10.20.30.40")
    client.force_login(officer)
    assert client.get(URL).status_code == 404


# --- requests and database queries -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_shows_up_in_the_request_and_database_metrics(officer: User) -> None:
    before = scrape()
    client = Client()
    client.force_login(officer)
    assert client.get("/stations/").status_code == 200
    after = scrape()

    name = "django_http_requests_latency_seconds_by_view_method_count"
    assert (
        value(after, name, view="station_list", method="GET") == value(before, name, view="station_list") + 1
    )
    by_view = "django_http_requests_total_by_view_transport_method_total"
    assert value(after, by_view, view="station_list") == value(before, by_view, view="station_list") + 1
    status = "django_http_responses_total_by_status_view_method_total"
    assert (
        value(after, status, view="station_list", status="200")
        == value(before, status, view="station_list", status="200") + 1
    )
    queries = "django_db_execute_total"
    assert value(after, queries, alias="default", vendor="postgresql") > value(
        before, queries, alias="default"
    )


# --- task durations, measured by a real worker ------------------------------------------------------


def _wait_for(predicate, worker: CeleryWorker, what: str) -> dict:  # noqa: ANN001
    deadline = time.monotonic() + 30
    while True:
        samples = scrape()
        if predicate(samples):
            return samples
        assert time.monotonic() < deadline, f"{what} never showed in /metrics:\n{worker.log()[-3000:]}"
        time.sleep(0.2)


@pytest.mark.celery_worker
def test_a_task_run_by_the_real_worker_shows_in_the_task_duration_histogram(
    db: None, celery_worker: CeleryWorker
) -> None:
    from stations.tasks import purge_expired_tokens

    task = purge_expired_tokens.name
    count, total = f"{metrics.TASK_METRIC}_count", f"{metrics.TASK_METRIC}_bucket"
    before = scrape()
    ok_before = value(before, count, task=task, state="success")
    failed_before = value(before, count, task=task, state="failure")

    assert isinstance(purge_expired_tokens.delay().get(timeout=60), int)
    after = _wait_for(
        lambda s: value(s, count, task=task, state="success") == ok_before + 1, celery_worker, "the run"
    )
    assert value(after, total, task=task, state="success", le="+Inf") == ok_before + 1
    assert value(after, f"{metrics.TASK_METRIC}_sum", task=task, state="success") > 0

    from portal.celery import app

    failing = app.send_task(task, args=["unexpected"])  # by name: the TypeError happens in the worker
    with pytest.raises(TypeError):
        failing.get(timeout=60)
    _wait_for(
        lambda s: value(s, count, task=task, state="failure") == failed_before + 1,
        celery_worker,
        "the failure",
    )


def test_task_durations_fall_in_the_right_bucket(isolated_cache: str) -> None:
    task = f"tests.probe-{uuid.uuid4().hex[:6]}"
    metrics.task_observe(task=task, state="SUCCESS", seconds=0.3)
    metrics.task_observe(task=task, state="SUCCESS", seconds=7)
    family = metrics._task_histograms()
    samples = {(s.name, s.labels.get("le")): s.value for s in family.samples if s.labels.get("task") == task}
    assert samples[(f"{metrics.TASK_METRIC}_bucket", "0.25")] == 0
    assert samples[(f"{metrics.TASK_METRIC}_bucket", "0.5")] == 1
    assert samples[(f"{metrics.TASK_METRIC}_bucket", "10.0")] == 2
    assert samples[(f"{metrics.TASK_METRIC}_bucket", "+Inf")] == 2
    assert samples[(f"{metrics.TASK_METRIC}_count", None)] == 2
    assert samples[(f"{metrics.TASK_METRIC}_sum", None)] == pytest.approx(7.3)


# --- queue depth and imports waiting -------------------------------------------------------------------


@pytest.fixture
def unconsumed_queue() -> Iterator[str]:
    """A Celery queue no worker consumes, removed afterwards."""
    from portal.celery import app

    queue = f"metrics-probe-{uuid.uuid4().hex[:10]}"
    yield queue
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_purge(queue)
        channel.queue_delete(queue)


@pytest.mark.django_db
def test_queue_depth_counts_messages_no_worker_has_taken(unconsumed_queue: str) -> None:
    from stations.tasks import purge_expired_tokens

    with override_settings(METRICS_CELERY_QUEUES=[unconsumed_queue]):
        assert value(scrape(), "celery_queue_messages", queue=unconsumed_queue) == 0
        for _ in range(3):
            purge_expired_tokens.apply_async(queue=unconsumed_queue)
        samples = scrape()
    assert value(samples, "celery_queue_messages", queue=unconsumed_queue) == 3
    assert value(samples, "portal_metrics_source_up", source="queues") == 1


@pytest.mark.django_db
def test_registry_imports_queued_and_running_are_counted(officer: User) -> None:
    before = scrape()
    for status in (ImportStatus.QUEUED, ImportStatus.QUEUED, ImportStatus.RUNNING, ImportStatus.DONE):
        ImportJob.objects.create(
            kind=RecordKind.PERSONS,
            status=status,
            file="imports/probe.csv",  # never opened
            file_name="probe.csv",
            sha256="0" * 64,
            created_by=officer,
            station=officer.home_station,
        )
    after = scrape()
    name = "portal_registry_imports"
    assert value(after, name, status="queued") == value(before, name, status="queued") + 2
    assert value(after, name, status="running") == value(before, name, status="running") + 1
    assert value(after, "portal_registry_import_oldest_age_seconds", status="queued") >= 0


@pytest.mark.django_db
def test_a_source_that_fails_is_reported_and_the_scrape_still_answers() -> None:
    with override_settings(CACHES={"default": {**_cache(), "LOCATION": "redis://127.0.0.1:1/0"}}):
        samples = scrape()
    assert value(samples, "portal_metrics_source_up", source="tasks") == 0
    assert value(samples, "portal_metrics_source_up", source="imports") == 1


def _cache() -> dict:
    return dict(settings.CACHES["default"])


# --- several gunicorn processes, one scrape ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_gunicorn_processes_add_up_in_every_scrape(django_db_setup: None, tmp_path: Path) -> None:
    """As ``scripts/run.sh`` starts it: gunicorn with several processes and PROMETHEUS_MULTIPROC_DIR.
    Whichever process answers the scrape, it reports the requests all of them served."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": live._database_url(settings.DATABASES["default"]),
        "DB_CONN_MAX_AGE": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=live.PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _http_get(f"{base}/healthz")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        before = {}
        status, body = _http_get(f"{base}/metrics")
        assert status == 200
        for family in text_string_to_metric_families(body.decode()):
            for sample in family.samples:
                before[(sample.name, frozenset(sample.labels.items()))] = sample.value
        name = "django_http_requests_total_by_view_transport_method_total"
        start = value(before, name, view="healthz")

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(lambda _: _http_get(f"{base}/healthz")[0], range(40)))
        assert set(statuses) <= {200, 503}
        pids = {path.stem.rsplit("_", 1)[-1] for path in directory.glob("counter_*.db")}
        assert len(pids) >= 2, "one process served everything: the test would prove nothing"

        for _ in range(4):  # several scrapes, answered by either process
            status, body = _http_get(f"{base}/metrics")
            samples = {}
            for family in text_string_to_metric_families(body.decode()):
                for sample in family.samples:
                    samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
            assert value(samples, name, view="healthz") == start + 40
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
