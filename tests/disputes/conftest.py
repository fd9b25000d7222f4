"""Fixtures of the disputes suite: disputes made through the services at the personas' stations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from disputes import services
from disputes.choices import DisputeKind, FoundBy, RiskLevel
from disputes.models import Dispute
from stations.models import User
from tests import live

# Concurrent transitions need committed rows another connection can see (see tests.live).
committed_db = live.committed_db


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def make_dispute(db: None) -> Callable[..., Dispute]:
    """``make_dispute(user, **fields)``: a dispute recorded through the service at the user's station."""

    def make(user: User, **fields: Any) -> Dispute:
        values: dict[str, Any] = {
            "station": user.home_station,
            "title": "邻里噪音纠纷",
            "kind": DisputeKind.NEIGHBOUR,
            "found_by": FoundBy.SCREENING,
            "found_on": timezone.localdate() - dt.timedelta(days=3),
            "risk": RiskLevel.MEDIUM,
        }
        values.update(fields)
        return services.dispute_create(user=user, **values)

    return make
