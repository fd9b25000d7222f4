"""Structured logs (issue 8 item 7): with ``LOG_FORMAT=json`` one JSON object per line, each line of a
request carrying its request id (from ``X-Request-ID`` or made up, and sent back), the user and the
path without its query string; a Celery worker logs JSON with the task's id and name."""

from __future__ import annotations

import io
import json
import logging.config
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client

from common.logs import REQUEST_ID_HEADER, logging_config
from registry.models import Person
from stations.models import User
from tests import live


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The portal's own logging configuration with ``LOG_FORMAT=json``, its console stream captured."""
    stream = io.StringIO()
    with mock.patch.object(sys, "stderr", stream):
        logging.config.dictConfig(logging_config(log_format="json", level="DEBUG"))
    try:
        yield stream
    finally:
        logging.config.dictConfig(settings.LOGGING)


def clear(stream: io.StringIO) -> None:
    stream.seek(0)
    stream.truncate(0)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    out = stream.getvalue().splitlines()
    assert out, "nothing was logged"
    return [json.loads(line) for line in out]  # every line is one JSON object


@pytest.mark.django_db
def test_every_line_of_a_request_is_json_with_its_request_id_user_and_path(
    officer: User, officer_b: User, json_log: io.StringIO
) -> None:
    outside = Person.objects.filter(station=officer_b.home_station).first()
    client = Client()
    client.force_login(officer)
    clear(json_log)  # what signing in logged (a new Redis connection, say) is not the request's
    path = f"/api/v1/registry/persons/{outside.pk}/"
    response = client.get(path, {"national_id": outside.national_id}, HTTP_X_REQUEST_ID="probe-4711")
    assert response.status_code == 404
    assert response[REQUEST_ID_HEADER] == "probe-4711"

    records = lines(json_log)
    assert len(records) >= 2  # django.request's "Not Found" warning and the request line
    for record in records:
        assert {"time", "level", "logger", "message"} <= record.keys(), record
        assert record["request_id"] == "probe-4711", record
        assert record["user_id"] == officer.pk, record
        assert record["path"] == path, record
        assert outside.national_id not in json.dumps(record, ensure_ascii=False), record
    # Django logs the 404 after the middleware chain has returned: it still carries the request's id.
    assert any(r["logger"] == "django.request" and r["level"] == "WARNING" for r in records)
    (request_line,) = [r for r in records if r["logger"] == "portal.request"]
    assert request_line["status"] == 404 and request_line["method"] == "GET"
    assert isinstance(request_line["duration_ms"], int | float) and request_line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", request_line["time"])


@pytest.mark.django_db
def test_a_request_without_a_usable_id_gets_one_made_up(json_log: io.StringIO) -> None:
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID='bad id"\n{"level": "forged"}')
    made_up = response[REQUEST_ID_HEADER]
    assert re.fullmatch(r"[0-9a-f]{32}", made_up)
    records = lines(json_log)
    assert records and all(r["request_id"] == made_up and "user_id" not in r for r in records)

    clear(json_log)
    second = Client().get("/accounts/login/")[REQUEST_ID_HEADER]
    assert second != made_up and {r["request_id"] for r in lines(json_log)} == {second}


@pytest.mark.django_db
def test_lines_outside_a_request_carry_no_request_id(json_log: io.StringIO) -> None:
    Client().get("/accounts/login/")  # a request before: its id must not stick to later lines
    clear(json_log)
    logging.getLogger("registry").warning("outside any request")
    (record,) = lines(json_log)
    assert record["message"] == "outside any request" and "request_id" not in record


def _settings_in(**env: str) -> dict[str, Any]:
    """LOG_FORMAT and the console formatter as a fresh process reads them from ``env``."""
    code = (
        "import json, django; from django.conf import settings; "
        "print(json.dumps([settings.LOG_FORMAT, settings.LOGGING['handlers']['console']['formatter']]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "PORTAL_PRODUCTION")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        cwd=live.PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_json_is_the_default_in_production_and_plain_text_in_development() -> None:
    production = {"PORTAL_PRODUCTION": "1", "SECRET_KEY": "k" * 30 + "abcdefghijklmnopqrstuvwxyz"}
    assert _settings_in(**production) == ["json", "json"]
    assert _settings_in(**production, LOG_FORMAT="plain") == ["plain", "plain"]
    assert _settings_in() == ["plain", "plain"]
    assert _settings_in(LOG_FORMAT="json") == ["json", "json"]


# --- the Celery worker ----------------------------------------------------------------------------------


@pytest.fixture
def json_worker(django_db_setup: None, tmp_path: Path) -> Iterator[live.CeleryWorker]:
    """A real worker started with ``LOG_FORMAT=json``, consuming a queue of its own on the broker this
    process publishes to (that of the ``celery_worker`` fixture when it runs)."""
    from portal.celery import app

    token = uuid.uuid4().hex[:8]
    queue, hostname = f"test-json-{token}", f"test-json-{token}@localhost"
    broker_url = str(app.conf.broker_url)
    log_path = tmp_path / "worker.log"
    with mock.patch.dict(os.environ, {"LOG_FORMAT": "json"}):
        process = live._start_worker(queue=queue, hostname=hostname, broker_url=broker_url, log_path=log_path)
    worker = live.CeleryWorker(
        hostname=hostname,
        queue=queue,
        broker_url=broker_url,
        database=str(settings.DATABASES["default"]["NAME"]),
        log_path=log_path,
        process=process,
    )
    try:
        deadline = time.monotonic() + 60
        while not worker.ping(timeout=0.5):
            assert process.poll() is None and time.monotonic() < deadline, worker.log()[-3000:]
        yield worker
    finally:
        live._stop_worker(process)
        with app.connection_for_write() as connection:
            connection.default_channel.queue_delete(queue)


@pytest.mark.celery_worker
def test_the_worker_logs_json_with_the_task_id_and_name(json_worker: live.CeleryWorker) -> None:
    from portal.celery import app
    from stations.tasks import purge_expired_tokens

    assert str(app.conf.result_backend) == json_worker.broker_url  # where the worker stores the result
    result = purge_expired_tokens.apply_async(queue=json_worker.queue)
    assert isinstance(result.get(timeout=60), int)
    deadline = time.monotonic() + 10
    while result.id not in json_worker.log():
        assert time.monotonic() < deadline, json_worker.log()[-3000:]
        time.sleep(0.2)

    records = []
    for line in json_worker.log().splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
        else:
            assert result.id not in line, line  # the task's lines are all JSON
    task_lines = [r for r in records if r.get("task_id") == result.id]
    assert task_lines, json_worker.log()[-3000:]
    for record in task_lines:
        assert record["task_name"] == purge_expired_tokens.name
        assert {"time", "level", "logger", "message"} <= record.keys()
    assert any("succeeded" in r["message"] for r in task_lines)
