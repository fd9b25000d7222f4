"""Fixtures of the beats tests: the personas' beats, points inside and outside them, and the browser
fixtures of ``tests/e2e`` (Playwright on Debian's chromium against a live server whose requests run
in the test's own transaction, so nothing is committed and the tiny demo stays as it was)."""

from __future__ import annotations

import pytest

from beats.geometry import inner_point, parse_boundary
from beats.models import Beat
from stations.models import User
from tests.e2e.conftest import (  # noqa: F401 - fixtures, by name
    browser,
    browser_session,
    isolated_cache,
    live_server_in_transaction,
)


def beat_of(user: User) -> Beat:
    return Beat.objects.select_related("station").get(officer=user.officer)


def point_inside(beat: Beat) -> tuple[float, float]:
    """(lon, lat) inside the beat's boundary."""
    return inner_point(beat.boundary)


def point_outside(beat: Beat) -> tuple[float, float]:
    """(lon, lat) a few kilometres east of the beat's boundary."""
    min_lon, min_lat, max_lon, max_lat = parse_boundary(beat.boundary).bounds
    return max_lon + 0.05, (min_lat + max_lat) / 2


@pytest.fixture
def my_beat(officer: User) -> Beat:
    return beat_of(officer)


@pytest.fixture
def b_beat(officer_b: User) -> Beat:
    return beat_of(officer_b)
