"""Prometheus metrics: ``GET /metrics`` and what the Celery workers and the queues add to it.

Three sources end up in one scrape of any web process:

* **requests and database queries** — django-prometheus (its middleware and its PostgreSQL backend),
  counted in the process that served them. gunicorn runs several processes, so ``scripts/run.sh``
  starts it with ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode): every process
  writes its counters into files there and a scrape adds them all up, whichever process answers.
* **Celery task durations** — a histogram per task name and outcome (``success``, ``failure``,
  ``retry`` …), recorded by the worker that ran the task (:func:`task_observe`, connected to
  Celery's ``task_prerun`` / ``task_postrun`` signals in ``portal/celery.py``) into one Redis hash
  under the cache's key prefix. Workers may run on other machines than the web processes, and any
  number of them; Redis is what they all share with the web, so that is where their counts meet.
* **queue depth and imports waiting** — read at scrape time by :class:`PortalCollector`: the
  messages waiting in each Celery queue on the broker (``LLEN`` of the queue's Redis lists), and the
  registry imports queued or running in PostgreSQL (their ``ImportJob`` rows).

``/metrics`` is not public (:func:`metrics_allowed`): it answers a request from an address in
``METRICS_ALLOWED_IPS`` (default: loopback only) that came through no proxy, or one carrying
``Authorization: Bearer <METRICS_TOKEN>``; anything else gets a plain 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import redis
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

# Upper bounds (seconds) of the task duration buckets: from the heartbeat's milliseconds to the
# six-hour time limit of an import or a ledger run.
TASK_BUCKETS: tuple[float, ...] = (
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, math.inf,
)  # fmt: skip
TASK_METRIC = "celery_task_duration_seconds"


# --- task durations, recorded by the worker into Redis -----------------------------------------------

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def _redis() -> redis.Redis:
    """A client of the cache's Redis (one connection pool per process)."""
    url = str(settings.CACHES["default"]["LOCATION"])
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return client


def task_metrics_key() -> str:
    """The Redis hash holding every task's histogram (under the cache's key prefix, shared by web and
    workers: ``CACHE_KEY_PREFIX`` must be the same for both, as for the heartbeat)."""
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:metrics:celery-tasks"


def _bound(seconds: float) -> str:
    le = next(bound for bound in TASK_BUCKETS if seconds <= bound)
    return "+Inf" if math.isinf(le) else repr(float(le))


def task_observe(*, task: str, state: str, seconds: float) -> None:
    """Count one run of ``task`` that ended in ``state`` after ``seconds``. A Redis failure is logged
    and swallowed: a metric must never fail the task it measures."""
    field = f"{task}|{state.lower()}"
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.hincrby(task_metrics_key(), f"{field}|{_bound(seconds)}", 1)
        pipe.hincrbyfloat(task_metrics_key(), f"{field}|sum", max(0.0, seconds))
        pipe.execute()
    except Exception:
        log.warning("metrics: a task duration could not be recorded", exc_info=True)


_started: dict[str, float] = {}


def on_task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.monotonic()


def on_task_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any) -> None:
    started = _started.pop(task_id, None) if task_id else None
    if started is None or task is None:
        return
    task_observe(task=str(task.name), state=state or "unknown", seconds=time.monotonic() - started)


def _task_histograms() -> Metric:
    family = HistogramMetricFamily(
        TASK_METRIC, "Run time of Celery tasks by task name and outcome, as the workers measured it.",
        labels=["task", "state"],
    )  # fmt: skip
    raw = _redis().hgetall(task_metrics_key())
    buckets: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for key, value in raw.items():
        task, state, bound = key.decode().rsplit("|", 2)
        if bound == "sum":
            sums[(task, state)] = float(value)
        else:
            buckets[(task, state)][bound] = float(value)
    bounds = [_bound(b) for b in TASK_BUCKETS]
    for labels in sorted(buckets):
        counts, running = [], 0.0
        for bound in bounds:
            running += buckets[labels].get(bound, 0.0)
            counts.append((bound, running))
        family.add_metric(list(labels), buckets=counts, sum_value=sums[labels])
    return family


# --- queue depth and imports, read at scrape time ----------------------------------------------------


def celery_queue_names() -> list[str]:
    """The Celery queues to watch: the default queue, those declared in ``task_queues`` and
    ``task_routes``, and ``METRICS_CELERY_QUEUES`` (for queues only some workers are started with)."""
    from portal.celery import app

    names = [str(app.conf.task_default_queue)]
    names += [queue.name for queue in (app.conf.task_queues or ())]
    routes = app.conf.task_routes
    if isinstance(routes, dict):
        names += [
            str(route["queue"]) for route in routes.values() if isinstance(route, dict) and "queue" in route
        ]
    names += list(getattr(settings, "METRICS_CELERY_QUEUES", ()))
    return list(dict.fromkeys(name for name in names if name))


def _queue_depths() -> Metric:
    from portal.celery import app

    family = GaugeMetricFamily(
        "celery_queue_messages", "Messages waiting in a Celery queue on the broker (not yet taken by a worker).",
        labels=["queue"],
    )  # fmt: skip
    with app.connection_for_read() as connection:
        channel = connection.default_channel
        for name in celery_queue_names():
            family.add_metric([name], float(channel._size(name)))  # LLEN of the queue's priority lists
    return family


def _imports() -> list[Metric]:
    from django.db.models import Count, Min

    from registry.choices import ImportStatus
    from registry.models import ImportJob

    waiting = [ImportStatus.QUEUED, ImportStatus.RUNNING]
    rows = {
        row["status"]: row
        for row in ImportJob.objects.filter(status__in=waiting)
        .values("status")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by()
    }
    count = GaugeMetricFamily(
        "portal_registry_imports", "Registry imports queued or running (ImportJob rows in PostgreSQL).",
        labels=["status"],
    )  # fmt: skip
    age = GaugeMetricFamily(
        "portal_registry_import_oldest_age_seconds",
        "Age of the oldest registry import in this status (0: none).",
        labels=["status"],
    )
    now = time.time()
    for status in waiting:
        row = rows.get(status)
        count.add_metric([status.value], float(row["n"]) if row else 0.0)
        age.add_metric([status.value], max(0.0, now - row["oldest"].timestamp()) if row else 0.0)
    return [count, age]


class PortalCollector:
    """What a scrape reads from Redis and PostgreSQL: task histograms, queue depth, imports waiting.
    A source that fails is left out and reported by ``portal_metrics_source_up`` (0), so the scrape
    itself still succeeds and an alert can name what is missing."""

    SOURCES = (("tasks", _task_histograms), ("queues", _queue_depths), ("imports", _imports))

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "portal_metrics_source_up", "Whether a source of these metrics answered this scrape.",
            labels=["source"],
        )  # fmt: skip
        for name, read in self.SOURCES:
            try:
                result = read()
            except Exception:
                log.warning("metrics: source %s failed", name, exc_info=True)
                up.add_metric([name], 0.0)
                continue
            up.add_metric([name], 1.0)
            yield from result if isinstance(result, list) else [result]
        yield up


class _ThisProcess:
    """The metrics of this process (django-prometheus' counters), when not in multiprocess mode."""

    def collect(self) -> Iterator[Metric]:
        return REGISTRY.collect()


def multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def scrape() -> bytes:
    """The exposition text of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_mode():
        MultiProcessCollector(registry)  # every gunicorn process' files, added up
    else:
        registry.register(_ThisProcess())  # type: ignore[arg-type]
    registry.register(PortalCollector())  # type: ignore[arg-type]
    return generate_latest(registry)


# --- the endpoint -----------------------------------------------------------------------------------

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token equal to ``METRICS_TOKEN`` (when one is set), or a direct request from an address
    in ``METRICS_ALLOWED_IPS``. A request that came through a proxy (it carries a forwarding header)
    is never let in by its address: behind a proxy on the same machine every request comes from
    loopback."""
    token = str(getattr(settings, "METRICS_TOKEN", "") or "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    if any(request.META.get(name) for name in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    networks = [ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS]
    return any(address in network for network in networks)


@csrf_exempt
@require_safe
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
