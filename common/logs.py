"""The portal's log: plain text or one JSON object per line, and a request id on every line.

* :func:`logging_config` builds ``settings.LOGGING`` for ``LOG_FORMAT`` ``json`` (the default under
  ``PORTAL_PRODUCTION``) or ``plain``.
* :class:`RequestIdMiddleware` takes the request id from an ``X-Request-ID`` header (when it is a
  sane token) or makes one, returns it in the response's ``X-Request-ID`` header, keeps it in a
  context variable for the request's duration, and logs one line per request (logger
  ``portal.request``: method, path, status, duration).
* :class:`ContextFilter`, on the handler, adds to every record logged meanwhile — by any logger —
  ``request_id``, ``user_id`` and ``path`` (the path only: a query string can carry the national ID
  searched for), and in a Celery worker ``task_id`` and ``task_name``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_request: contextvars.ContextVar[Any] = contextvars.ContextVar("portal_request", default=None)
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_request_id", default=None)
_task: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("portal_task", default=None)

access_log = logging.getLogger("portal.request")


def current_request_id() -> str | None:
    return _request_id.get()


def _user_id(request: Any) -> int | None:
    """The signed-in user's id, if the request already knows its user: reading ``request.user`` from a
    log call must not load the session (a query, possibly inside the database's own logging)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # a SimpleLazyObject not yet evaluated holds ``empty``
    if type(wrapped).__name__ == "object" or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``path`` (no query string) and ``task_id``/``task_name`` to
    every record; ``None`` outside a request or a task. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        record.request_id = _request_id.get()
        record.user_id = _user_id(request) if request is not None else None
        record.path = getattr(request, "path", None) if request is not None else getattr(record, "path", None)
        task = _task.get()
        record.task_id, record.task_name = task if task else (None, None)
        return True


# The fields a JSON line may have, in this order; any other ``extra`` of a log call is left out.
FIELDS = (
    "time", "level", "logger", "message",
    "request_id", "user_id", "path", "method", "status", "status_code", "duration_ms",
    "task_id", "task_name", "exc_info", "stack_info",
)  # fmt: skip


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message`` first, then the context
    fields of :data:`FIELDS`; fields without a value are left out."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__("{asctime}{levelname}{name}{message}", *args, style="{", **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        """Only the fields above: an ``extra`` is not written unless listed here. Django's
        ``django.request`` logger, for one, passes the request, whose text is the whole URL with its
        query string (which can hold the national ID searched for)."""
        return {key: value for key, value in log_data.items() if key in FIELDS and value is not None}


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """``settings.LOGGING`` for ``log_format`` ``json`` or ``plain`` (to standard error)."""
    plain = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "common.logs.ContextFilter"}},
        "formatters": {
            "plain": {"format": plain},
            "json": {"()": "common.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}},
    }


class RequestIdMiddleware:
    """Give every request an id (``X-Request-ID``) that each of its log lines carries; log the request.

    Put it first (after django-prometheus' first middleware), so that everything logged while the
    request is served, middleware included, has the id."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset when the middleware returns: Django logs a 4xx/5xx response ("Not Found: …") after
        # the whole middleware chain; ``request_finished`` clears the context once the response is sent.
        _request.set(request)
        _request_id.set(request_id)
        started = time.monotonic()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


def clear_request_context(**_: Any) -> None:
    """``request_finished``: the request is over; lines logged from now on are not its."""
    _request.set(None)
    _request_id.set(None)


request_finished.connect(clear_request_context, weak=False, dispatch_uid="common.logs.clear_request_context")


# --- Celery -------------------------------------------------------------------------------------------


def on_task_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    _task.set((task_id or "", str(getattr(task, "name", ""))))


def on_task_postrun(**_: Any) -> None:
    _task.set(None)


def setup_worker_logging(logfile: str | None = None, **_: Any) -> None:
    """Celery's ``setup_logging`` signal: the worker and beat log as the web does (``settings.LOGGING``),
    to ``--logfile`` when one is given. Connected only with ``LOG_FORMAT=json``; in plain text Celery
    keeps its own format."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if logfile:
        root = logging.getLogger()
        console = next((h for h in root.handlers if h.get_name() == "console"), None)
        handler = logging.FileHandler(logfile, encoding="utf-8")
        if console is not None:
            handler.setFormatter(console.formatter)
            for log_filter in console.filters:
                handler.addFilter(log_filter)
            root.removeHandler(console)
        root.addHandler(handler)
