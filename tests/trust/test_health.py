"""``/healthz``: 200 when the database, Redis and the Celery worker heartbeat are all good, 503 naming
what is down; open to monitors without signing in, and leaking nothing (no cookie, no host)."""

from __future__ import annotations

import socket
import time
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client, override_settings

from stations import health
from stations.models import User
from tests.live import CeleryWorker

URL = "/healthz"


def closed_port_url() -> str:
    """A Redis URL on a local port nothing listens on (bound once by us, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def beat(age_seconds: float) -> None:
    cache.set(health.HEARTBEAT_KEY, time.time() - age_seconds, timeout=3600)


def get(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


@pytest.fixture
def fresh_heartbeat(isolated_cache: str) -> None:
    beat(5)


def test_all_good_answers_200_to_an_anonymous_monitor(db: None, fresh_heartbeat: None) -> None:
    status, body = get(Client())
    assert status == 200
    assert body == {
        "status": "ok",
        "down": [],
        "checks": {
            "database": {"ok": True},
            "redis": {"ok": True},
            "worker": {"ok": True, "heartbeat_age_seconds": 5},
        },
    }


def test_redis_unreachable_answers_503_naming_redis(db: None, fresh_heartbeat: None) -> None:
    closed = closed_port_url()
    caches = {"default": {**settings.CACHES["default"], "LOCATION": closed}}
    with override_settings(CACHES=caches, CELERY_BROKER_URL=closed):
        status, body = get(Client())
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["redis"] == {"ok": False}
    assert body["checks"]["database"] == {"ok": True}
    # The heartbeat lives in Redis too: with Redis gone nobody can tell whether the worker runs.
    assert body["down"] == ["redis", "worker"]
    assert closed.split("//")[1].split("/")[0] not in str(body)  # no host or port in the answer


def test_the_broker_is_checked_not_only_the_cache(db: None, fresh_heartbeat: None) -> None:
    with override_settings(CELERY_BROKER_URL=closed_port_url()):
        status, body = get(Client())
    assert status == 503
    assert body["down"] == ["redis"]


def test_a_stale_heartbeat_answers_503_naming_the_worker(db: None, isolated_cache: str) -> None:
    beat(health.HEARTBEAT_MAX_AGE + 60)
    status, body = get(Client())
    assert status == 503
    assert body["down"] == ["worker"]
    assert body["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": health.HEARTBEAT_MAX_AGE + 60}


def test_no_heartbeat_at_all_answers_503(db: None, isolated_cache: str) -> None:
    status, body = get(Client())
    assert status == 503
    assert body["down"] == ["worker"]
    assert body["checks"]["worker"] == {"ok": False, "heartbeat_age_seconds": None}


def test_a_heartbeat_within_the_limit_is_good(db: None, isolated_cache: str) -> None:
    beat(health.HEARTBEAT_MAX_AGE - 10)
    assert get(Client())[0] == 200


def test_database_down_answers_503_naming_the_database(db: None, fresh_heartbeat: None) -> None:
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("connection refused")
    with mock.patch.object(health, "connection", broken):
        status, body = get(Client())
    assert status == 503
    assert body["down"] == ["database"]
    assert "refused" not in str(body)


def test_no_cookie_no_session_no_csrf_noise(db: None, fresh_heartbeat: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.cookies  # neither sessionid nor csrftoken
    assert "no-cache" in response["Cache-Control"]
    assert client.head(URL).status_code == 200
    # Only reads: a POST is refused as a method, not as a CSRF failure.
    assert client.post(URL).status_code == 405


def test_a_signed_in_caller_gets_nothing_more(db: None, fresh_heartbeat: None, officer: User) -> None:
    client = Client()
    client.force_login(officer)
    status, body = get(client)
    assert status == 200
    assert officer.username not in str(body)


@pytest.mark.celery_worker
def test_the_real_worker_writes_the_heartbeat_that_healthz_reads(
    db: None, celery_worker: CeleryWorker
) -> None:
    cache.delete(health.HEARTBEAT_KEY)
    assert get(Client())[1]["down"] == ["worker"]

    health.worker_heartbeat.delay()  # what Celery beat sends every HEARTBEAT_INTERVAL seconds
    deadline = time.monotonic() + 30
    while cache.get(health.HEARTBEAT_KEY) is None:
        assert time.monotonic() < deadline, f"the worker wrote no heartbeat:\n{celery_worker.log()[-3000:]}"
        time.sleep(0.2)

    status, body = get(Client())
    assert status == 200, body
    assert body["checks"]["worker"]["heartbeat_age_seconds"] <= 30


def test_celery_beat_sends_the_heartbeat_often_enough() -> None:
    from portal.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == health.worker_heartbeat.name]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    seconds = float(schedule) if isinstance(schedule, int | float) else schedule.run_every.total_seconds()
    assert seconds <= health.HEARTBEAT_MAX_AGE / 2
