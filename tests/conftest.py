"""Shared fixtures: the tiny demo province loaded once per test database, and its named personas.

Personas (all from ``stations/demo.py``): ``officer`` and ``station_head`` at one station,
``officer_b`` at a station in another county (and city), ``county_staff`` and ``city_staff`` above
``officer``'s station, ``province_admin`` and ``auditor`` at the province, ``api_client`` bound to
``officer``'s city.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from stations.models import User
from tests import live, log_watch

# After a transactional test (its teardown empties the database) the tiny demo is brought back from
# the copy taken below; see tests/live.py.
pytest_runtest_teardown = live.pytest_runtest_teardown
# One real Celery worker per test session (a session fixture bound in two conftests would start two).
celery_worker = live.celery_worker
committed_db = live.committed_db
# No national ID in any log line the suite makes the portal write (tests/log_watch.py).
log_watch.install()
no_national_id_logged = log_watch.no_national_id_logged

DEMO_SEED = 1

# Rate limits and other cached state live in Redis: give each test run keys of its own, so runs (and
# parallel runs on one machine) never see each other's counters. Caches are created lazily, after this.
# Password hashing strength is not under test here; the fast hasher keeps sign-in tests quick.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
settings.CACHES["default"]["KEY_PREFIX"] = f"{settings.CACHES['default']['KEY_PREFIX']}-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from django.db import connection

    # Never the development database: the demo load and the snapshot below would write to it.
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        call_command("load_demo", scale="tiny", seed=DEMO_SEED, verbosity=0)
        live.snapshot_demo()
    yield
    with django_db_blocker.unblock():
        live.drop_demo_snapshot()


def _persona(username: str) -> Callable[..., User]:
    @pytest.fixture
    def fixture(db: None) -> User:
        return User.objects.select_related("home_station__county", "home_region").get(username=username)

    return fixture


officer = _persona("officer")
officer_b = _persona("officer_b")
station_head = _persona("station_head")
county_staff = _persona("county_staff")
city_staff = _persona("city_staff")
province_admin = _persona("province_admin")
auditor = _persona("auditor")
api_client_user = _persona("api_client")


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """``api(user)``: a DRF test client authenticated as ``user`` (or anonymous with ``None``)."""

    def make(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make
