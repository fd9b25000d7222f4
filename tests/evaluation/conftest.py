from __future__ import annotations

import datetime as dt
import itertools

import pytest

from evaluation import services
from evaluation.models import Period, Score
from stations.choices import OfficerKind
from stations.models import Officer, Posting, Region, Station

_seq = itertools.count(1)


@pytest.fixture
def demo_period(db: None) -> Period:
    """The month the demo scored (the latest scored period)."""
    return Period.objects.filter(scores__isnull=False).order_by("-start").first()


def make_station(county: Region, *, police: int = 0, auxiliary: int = 0, start: dt.date = dt.date(2020, 1, 1)) -> Station:
    n = next(_seq)
    station = Station.objects.create(code=f"{county.code}9{n:05d}", name=f"测试派出所{n}", county=county)
    for i in range(police + auxiliary):
        kind = OfficerKind.POLICE if i < police else OfficerKind.AUXILIARY
        officer = Officer.objects.create(badge_number=f"T{n:04d}{i:03d}", name=f"警员{n}-{i}", kind=kind,
                                         station=station, region=county)
        Posting.objects.create(officer=officer, station=station, region=county, start=start)
    return station


def score_of(period: Period, station: Station) -> Score:
    return Score.objects.get(period=period, station=station)


__all__ = ["make_station", "score_of", "services"]
