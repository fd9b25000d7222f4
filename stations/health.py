"""``GET /healthz``: is the portal able to work? For monitoring, not for people.

It answers JSON, without signing in::

    {"status": "ok", "down": [], "checks": {"database": {"ok": true}, "redis": {"ok": true},
     "worker": {"ok": true, "heartbeat_age_seconds": 12}}}

with 200 when every check passes and 503 when one fails; ``down`` then names the failing checks
(``database``, ``redis``, ``worker``). It shows no host names, URLs, versions or error texts (those
go to the server log, logger ``stations.health``), sets no cookie and touches no session, and is
plain Django: no CSRF, no API throttling, nothing cached.

* **database** — ``SELECT 1`` on the default connection.
* **redis** — ``PING`` to every Redis the portal uses (the cache and the Celery broker), with a
  one-second timeout.
* **worker** — the Celery worker heartbeat: :func:`worker_heartbeat` is a periodic task (Celery beat
  sends it every ``HEARTBEAT_INTERVAL`` seconds) that the worker runs by writing the time into the
  cache. A heartbeat older than ``HEARTBEAT_MAX_AGE`` (or none at all) means that beat, the broker or
  every worker is stuck or gone: scheduled and queued work is not being done.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_INTERVAL = 30  # seconds between two heartbeats (the beat schedule's entry)
HEARTBEAT_MAX_AGE = 120  # seconds after which the worker counts as down (four missed beats)
REDIS_TIMEOUT = 1.0  # seconds to connect and to answer PING


@shared_task(name="stations.health.worker_heartbeat", ignore_result=True, expires=HEARTBEAT_INTERVAL)
def worker_heartbeat() -> float:
    """Write the worker's heartbeat (the epoch time now) into the cache. Idempotent; a heartbeat that
    waited in the queue longer than one interval expires instead of running late."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=24 * 3600)
    return now


def _redis_urls() -> list[str]:
    urls = [str(settings.CACHES["default"].get("LOCATION", "")), str(settings.CELERY_BROKER_URL)]
    return list(dict.fromkeys(url for url in urls if url.startswith(("redis://", "rediss://", "unix://"))))


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.warning("health: the database does not answer", exc_info=True)
        return {"ok": False}
    return {"ok": True}


def check_redis() -> dict[str, Any]:
    for url in _redis_urls():
        client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
        try:
            client.ping()
        except Exception:
            log.warning("health: a Redis the portal uses does not answer", exc_info=True)
            return {"ok": False}
        finally:
            client.close()
    return {"ok": True}


def check_worker(*, now: float) -> dict[str, Any]:
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        log.warning("health: the worker heartbeat cannot be read", exc_info=True)
        return {"ok": False, "heartbeat_age_seconds": None}
    if not isinstance(beat, int | float):
        return {"ok": False, "heartbeat_age_seconds": None}
    age = max(0, round(now - beat))
    return {"ok": age <= HEARTBEAT_MAX_AGE, "heartbeat_age_seconds": age}


@csrf_exempt
@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": check_database(),
        "redis": check_redis(),
        "worker": check_worker(now=time.time()),
    }
    down = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "fail" if down else "ok", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)


urlpatterns = [path("healthz", healthz, name="healthz")]
