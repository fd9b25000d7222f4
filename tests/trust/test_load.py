"""The load scenario cannot rot (issue 8, item 6): ``bench/load/locustfile.py`` runs headless for a few
seconds against a live gunicorn (the command line of ``scripts/run.sh``) and the session's real Celery
worker (``tests/live.py``) on the test database, and every kind of request it makes must succeed.

The figures themselves are measured by ``make load`` on the small demo and recorded in
docs/performance.md; speed is never asserted here.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import global_settings, settings
from django.test import override_settings

from bench.load import kinds
from bench.load.accounts import ensure_accounts
from tests.live import PROJECT_ROOT, CeleryWorker, _database_url

RUN_SECONDS = 40  # the analysts first walk the dashboard tree to a station (the tiny demo has few)
USERS = {"officers": 4, "analysts": 2, "clients": 1}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gunicorn(celery_worker: CeleryWorker, tmp_path: Path) -> Iterator[str]:
    """The portal under gunicorn, as ``scripts/run.sh`` serves it, on the test database (it sees committed
    rows only: the test is transactional) with the worker's broker; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "DB_CONN_MAX_AGE": "0",  # nothing left connected when the harness recreates the test database
        "CELERY_BROKER_URL": celery_worker.broker_url,
        "CELERY_RESULT_BACKEND": celery_worker.broker_url,
        "CACHE_KEY_PREFIX": f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-load-{uuid.uuid4().hex[:8]}",
        "TWO_FACTOR_REQUIRED": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')[-4000:]}")
                time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_the_load_scenario_runs_without_a_failure(gunicorn: str, tmp_path: Path) -> None:
    # The suite hashes passwords with MD5 for speed; the server checks them with the real hashers.
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        accounts = ensure_accounts(**USERS, password="portal-demo")
    env = {
        **os.environ,
        "LOAD_ACCOUNTS": json.dumps(accounts),
        "DEMO_PASSWORD": "portal-demo",
        "LOAD_OFFICERS": str(USERS["officers"]),
        "LOAD_ANALYSTS": str(USERS["analysts"]),
        "LOAD_CLIENTS": str(USERS["clients"]),
        "LOAD_THINK": "0.1",  # short think times: a few seconds make many requests
        "LOAD_EVERY_TASK_FIRST": "1",  # and every kind of request comes up
        "LOAD_SYNC_PAGE_SIZE": "20",  # the tiny demo: several pages per collection
    }
    prefix = tmp_path / "locust"
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")), "-f", "bench/load/locustfile.py", "--headless",
            "--host", gunicorn, "-u", str(sum(USERS.values())), "-r", "10", "-t", f"{RUN_SECONDS}s",
            "--stop-timeout", "10", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        ],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=RUN_SECONDS + 60,
    )  # fmt: skip

    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats) if row["Name"] != "Aggregated"}
    failures = {name: row["Failure Count"] for name, row in rows.items() if int(row["Failure Count"])}
    assert failures == {}, f"failed requests: {failures}\n{Path(f'{prefix}_failures.csv').read_text()}"
    assert [name for name in kinds.ALL if name not in rows] == [], "kinds of request the run never made"
    exceptions = Path(f"{prefix}_exceptions.csv").read_text().splitlines()[1:]
    assert exceptions == [], "\n".join(exceptions)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
