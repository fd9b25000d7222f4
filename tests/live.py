"""Test helpers for suites that need real servers: a live HTTP server, a Celery worker, a browser.

Bind what you need to names in a ``conftest.py`` (pytest picks fixtures up by name; plain assignments
keep ruff's F811 quiet where a test then takes the fixture as an argument)::

    from tests import live

    celery_worker = live.celery_worker
    live_server_in_transaction = live.live_server_in_transaction

* ``live_server_in_transaction`` — a live HTTP server whose requests run inside the test's own
  transaction, so a browser test is an ordinary ``db`` test: nothing it does is committed, and the
  database is not flushed after it (pytest-django's ``live_server`` needs a transactional test, whose
  flush empties the whole database — the tiny demo and the rows data migrations seeded included).
* ``celery_worker`` — a real ``celery worker`` subprocess on the test database.
* ``committed_db`` — database access without a wrapping transaction, for what another process (the
  worker) must see; the test removes what it commits.
* ``snapshot_demo`` / ``restore_demo`` / ``pytest_runtest_teardown`` — a template-database copy of
  the freshly loaded test database, from which the hook recreates it after each transactional test.
* ``isolated_cache`` — a fresh cache key prefix for one test, so rate-limit counters in Redis (the
  anonymous API throttle allows 120 requests an hour) cannot leak between tests or runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django.test.testcases import LiveServerThread, _MediaFilesHandler

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --- a live server inside the test's transaction -------------------------------------------------


class _OneRequestAtATime:
    """Runs the portal for one request at a time, reading the whole response under the lock: every
    request uses the test's single database connection. Django closes "old" connections when a
    request starts and ends; that would close the test's, so the receiver is left out meanwhile."""

    _lock = threading.Lock()

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            request_started.disconnect(close_old_connections)
            request_finished.disconnect(close_old_connections)
            try:
                response = self.app(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()
            finally:
                request_started.connect(close_old_connections)
                request_finished.connect(close_old_connections)


class _SharedConnectionServer(ThreadedWSGIServer):
    def _close_connections(self) -> None:
        """Leave the connection open after each request: it is the test's, and holds its transaction."""


class _InTransactionLiveServerThread(LiveServerThread):
    server_class = _SharedConnectionServer

    def run(self) -> None:
        # Django's version points this thread at the shared connection and closes it on the way out;
        # here only the request threads use it (``_SharedConnectionServer``), and nothing closes it.
        try:
            handler = _OneRequestAtATime(self.static_handler(_MediaFilesHandler(WSGIHandler())))
            self.httpd = self._create_server(connections_override=self.connections_override)
            if self.port == 0:
                self.port = self.httpd.server_address[1]
            self.httpd.set_app(handler)
            self.is_ready.set()
            self.httpd.serve_forever()
        except Exception as error:  # reported to the fixture, which raises it
            self.error = error
            self.is_ready.set()


@contextmanager
def serve_in_transaction() -> Iterator[str]:
    """Serve the portal over HTTP on ``localhost`` for as long as the block runs; yields its base URL.

    Requests run one at a time on the caller's database connection, inside its transaction (use it
    in a ``db`` test): they see the tiny demo and whatever the test wrote, and everything they write
    is rolled back with the test. Static files are served from the finders, so neither DEBUG nor
    ``collectstatic`` is needed."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections

    connection = connections["default"]  # the wrapper itself: django.db.connection is a per-thread proxy
    connection.ensure_connection()
    connection.inc_thread_sharing()
    thread = _InTransactionLiveServerThread(
        "localhost", StaticFilesHandler, connections_override={"default": connection}, port=0
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://localhost:{thread.port}"
    finally:
        thread.terminate()
        connection.dec_thread_sharing()


@pytest.fixture
def live_server_in_transaction(db: None) -> Iterator[str]:
    """A live server of the portal inside the test's transaction (``serve_in_transaction``); its URL."""
    with serve_in_transaction() as url:
        yield url


# --- the tiny demo, brought back after a transactional test ------------------------------------


DEMO_SEED = 1  # the seed tests/conftest.py loads the tiny demo with
_snapshot: dict[str, str] = {}
_RESTORING = pytest.StashKey[bool]()


def _admin_connection() -> Any:
    """A connection to the server's ``postgres`` database, in autocommit (CREATE/DROP DATABASE need it)."""
    import psycopg2

    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )
    conn.autocommit = True
    return conn


def _admin(*statements: Any) -> None:
    """Run statements on the server's ``postgres`` database."""
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        conn.close()


def _databases_like(prefix: str) -> list[str]:
    conn = _admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix])
            return [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()


def snapshot_demo() -> None:
    """Copy the test database as it is now (migrated, demo loaded) to a template database, from which
    ``restore_demo`` recreates it. Call it right after loading the demo, in ``django_db_setup``;
    ``drop_demo_snapshot`` removes the copy."""
    from django.db import connections
    from psycopg2 import sql

    name = str(settings.DATABASES["default"]["NAME"])
    template = f"{name}_demo"[:63]
    connections.close_all()
    _admin(
        *(  # databases an interrupted run set aside and never dropped
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(stale))
            for stale in _databases_like(f"{name}_old")
        ),
        sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(template)),
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(template), sql.Identifier(name)),
    )
    _snapshot.update(name=name, template=template)


def drop_demo_snapshot() -> None:
    """Drop the copy ``snapshot_demo`` made and the databases ``restore_demo`` set aside."""
    from psycopg2 import sql

    if _snapshot:
        retired = [
            f"{_snapshot['name']}_old{n}"[:63] for n in range(1, int(_snapshot.get("retired", "0")) + 1)
        ]
        _admin(
            *(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                for name in [_snapshot["template"], *retired]
            )
        )
        _snapshot.clear()


def restore_demo() -> None:
    """Recreate the test database from ``snapshot_demo``'s copy: schema, rows seeded by migrations,
    demo and sequences exactly as they were. Other connections to it (a live server, a Celery worker)
    are cut; they reconnect on their next use. The emptied database is renamed aside rather than
    dropped (a drop waits for a checkpoint); ``drop_demo_snapshot`` drops them all at the end."""
    from django.db import connections
    from psycopg2 import sql

    connections.close_all()
    retired = int(_snapshot.get("retired", "0")) + 1
    name, template = _snapshot["name"], _snapshot["template"]
    _admin(
        sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {}").format(
            sql.Literal(name)
        ),
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(name), sql.Identifier(f"{name}_old{retired}"[:63])
        ),
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)),
    )
    _snapshot["retired"] = str(retired)


def demo_loaded() -> bool:
    from stations.models import User

    return User.objects.filter(username="officer").exists()


def _uses_db(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return bool({"db", "transactional_db", "live_server"} & set(fixtures)) or bool(
        item.get_closest_marker("django_db")
    )


def _is_transactional(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    if "transactional_db" in fixtures or "live_server" in fixtures:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test, whose teardown empties the whole test database, bring the demo back.

    With ``snapshot_demo`` taken (see its docstring) the database is recreated from the copy, rows the
    data migrations seeded included, and pytest-django's flush, made useless by that, is skipped.
    Without it the demo is loaded again, which fails where it needs such rows. A fixture cannot do
    this: the flush is the last finaliser of the test. Nothing is restored after the last test of the
    session (the test database is dropped then)."""
    if not _is_transactional(item) or item.stash.get(_RESTORING, False):
        return (yield)  # not transactional, or handled by the same hook bound in another conftest
    item.stash[_RESTORING] = True
    from django.test import TransactionTestCase
    from pytest_django.plugin import blocking_manager_key

    skip_flush = mock.patch.object(TransactionTestCase, "_fixture_teardown", lambda self: None)
    with skip_flush if _snapshot else contextlib.nullcontext():
        result = yield
    with item.config.stash[blocking_manager_key].unblock():
        if _snapshot:
            if nextitem is not None:
                restore_demo()
        elif nextitem is not None and _uses_db(nextitem) and not demo_loaded():
            try:
                call_command("load_demo", scale="tiny", seed=DEMO_SEED, verbosity=0)
            except Exception as error:
                raise RuntimeError(
                    "The tiny demo could not be loaded again after this transactional test emptied the "
                    "database (the flush also removes rows that data migrations seeded). Take a copy with "
                    "tests.live.snapshot_demo() right after loading the demo in django_db_setup."
                ) from error
    return result


# --- committed data ----------------------------------------------------------------------------------


@pytest.fixture
def committed_db(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access in autocommit mode, with no transaction around the test and no flush after it.

    For data another process must read (a Celery worker). The test removes what it creates, and must
    not rely on the demo: pytest-django runs such a test (it asks for no ``db`` fixture) after the
    transactional ones, which empty the database."""
    with django_db_blocker.unblock():
        yield


# --- cache -------------------------------------------------------------------------------------------


@contextmanager
def unique_cache_settings() -> Iterator[str]:
    """Point the caches at a key prefix no other test or run has used; yields the prefix."""
    prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}-t{uuid.uuid4().hex[:12]}"
    caches = {alias: {**conf, "KEY_PREFIX": prefix} for alias, conf in settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield prefix


@pytest.fixture
def isolated_cache() -> Iterator[str]:
    """A fresh cache key prefix for one test; yields the prefix.

    DRF's throttles count requests in the cache, which lives in Redis and outlives the test run, so
    without this a suite run several times in an hour meets its own old anonymous-rate counters."""
    with unique_cache_settings() as prefix:
        yield prefix


# --- a real Celery worker ----------------------------------------------------------------------------


def _xdist_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = "".join(ch for ch in worker if ch.isdigit())
    return int(digits or 0)


def _with_db_number(url: str, number: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def _database_url(db: dict[str, Any]) -> str:
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{quote(str(db['NAME']), safe='')}"


@dataclass
class CeleryWorker:
    """A running ``celery worker`` subprocess and where it listens."""

    hostname: str
    queue: str
    broker_url: str
    database: str
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ping(self, timeout: float = 1.0) -> bool:
        from portal.celery import app

        replies = app.control.ping(destination=[self.hostname], timeout=timeout)
        return any(self.hostname in reply for reply in replies)


def _start_worker(*, queue: str, hostname: str, broker_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    celery = Path(sys.executable).with_name("celery")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "portal.settings"),
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"].get("KEY_PREFIX", "")),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(celery if celery.exists() else shutil.which("celery") or "celery"),
        "-A", "portal", "worker",
        "--pool=solo", "--concurrency=1",
        "-Q", queue, "-n", hostname,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel=INFO",
    ]  # fmt: skip
    log = log_path.open("wb")
    try:
        return subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # warm shutdown: finishes the task at hand
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _point_app_at(app: Any, *, broker_url: str, queue: str) -> dict[str, Any]:
    """Make ``task.delay()`` in this process publish to ``queue`` on ``broker_url`` and read results
    there; returns the settings replaced, for ``_restore_app``."""
    keys = ("broker_url", "result_backend", "task_default_queue", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=broker_url, result_backend=broker_url, task_default_queue=queue, task_always_eager=False
    )
    _reset_app_connections(app)
    return saved


def _restore_app(app: Any, saved: dict[str, Any]) -> None:
    app.conf.update(**saved)
    _reset_app_connections(app)


def _reset_app_connections(app: Any) -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorker]:
    """A real Celery worker (``celery -A portal worker --pool=solo``) running against the test database.

    The worker is another process and sees committed rows only: commit what it must read, either with
    ``committed_db`` (and remove it afterwards) or from a transactional test::

        @pytest.mark.celery_worker
        def test_scores(celery_worker, committed_db):
            period = make_period()  # committed
            try:
                assert evaluation.tasks.score_period.delay(period.pk).get(timeout=60) == ...
            finally:
                period.delete()

    (A ``django_db(transaction=True)`` test works too, but the flush after it empties the whole test
    database, demo and migration-seeded rows included, for every transactional test that follows.)

    ``.delay()`` / ``.apply_async()`` in the test process publish to this worker while the fixture is
    alive: the fixture points the ``portal`` Celery app at a queue of its own (``test-<random>``) on
    Redis database ``$TEST_CELERY_REDIS_DB`` (default 10 + the pytest-xdist worker number), so parallel
    xdist workers, other test runs and a ``make run`` worker never take each other's tasks. The worker
    uses the database pytest-django created (``settings.DATABASES['default']['NAME']``, suffixed per
    xdist worker). It starts on first use, once per session, and stops at the end of the session.
    Its log is ``worker.log`` under the session's temporary directory (``celery_worker.log()``).
    """
    from portal.celery import app

    redis_db = int(os.environ.get("TEST_CELERY_REDIS_DB", str(10 + _xdist_index() % 6)))
    broker_url = _with_db_number(settings.CELERY_BROKER_URL, redis_db)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    queue = f"test-{token}"
    hostname = f"test-{token}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"

    saved = _point_app_at(app, broker_url=broker_url, queue=queue)
    process = _start_worker(queue=queue, hostname=hostname, broker_url=broker_url, log_path=log_path)
    worker = CeleryWorker(
        hostname=hostname,
        queue=queue,
        broker_url=broker_url,
        database=str(settings.DATABASES["default"]["NAME"]),
        log_path=log_path,
        process=process,
    )
    try:
        deadline = time.monotonic() + float(os.environ.get("TEST_CELERY_START_TIMEOUT", "60"))
        while not worker.ping(timeout=0.5):
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {process.returncode}:\n{worker.log()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker did not answer a ping in time:\n{worker.log()[-4000:]}")
            time.sleep(0.2)
        yield worker
    finally:
        _stop_worker(process)
        with contextlib.suppress(Exception), app.connection_for_write() as connection:
            channel = connection.default_channel  # the queue's Redis list and its exchange binding
            channel.queue_delete(queue)
            for prefix in (channel.keyprefix_queue, getattr(channel, "keyprefix_binding_permanent", None)):
                if prefix:
                    channel.client.delete(prefix % (queue,))
        _restore_app(app, saved)
