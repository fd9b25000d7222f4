# NOTE FOR HELPERS: read /work/notes/common.md first (test database names, no git, file ownership).
"""Reads of the stations app. Every selector takes the user and applies jurisdiction first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stations.models import Region, Station, User


@dataclass(frozen=True)
class StrengthRow:
    """Police strength of one unit on a date, with the same date a year earlier."""

    unit_kind: str  # "region" or "station"
    unit_id: int
    code: str
    name: str
    police_total: int
    police_in_stations: int
    auxiliary_total: int
    auxiliary_in_stations: int
    last_year_police_total: int
    last_year_police_in_stations: int

    @property
    def share(self) -> float | None:
        """Share of the police force posted in stations (0–1), None when the unit has no police."""
        return self.police_in_stations / self.police_total if self.police_total else None

    @property
    def last_year_share(self) -> float | None:
        return self.last_year_police_in_stations / self.last_year_police_total if self.last_year_police_total else None

    @property
    def share_change_points(self) -> float | None:
        """Change of the share on last year, in percentage points."""
        if self.share is None or self.last_year_share is None:
            return None
        return (self.share - self.last_year_share) * 100

    @property
    def in_stations_change(self) -> float | None:
        """Relative change of the police in stations on last year (0.184 = up 18.4 %)."""
        if not self.last_year_police_in_stations:
            return None
        return self.police_in_stations / self.last_year_police_in_stations - 1


@dataclass(frozen=True)
class StrengthReport:
    unit: Region | Station | None
    on: dt.date
    total: StrengthRow
    rows: list[StrengthRow]  # the unit's children: cities, counties or stations (and its own bureau)


def police_strength(*, user: User, unit: Region | Station | None, on: dt.date) -> StrengthReport:
    """Police strength of ``unit`` (default: the user's home unit) and of each of its children,
    on ``on`` and a year earlier, in a number of queries that does not grow with the units."""
    raise NotImplementedError
