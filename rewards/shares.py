"""The 30 % rule as pure arithmetic over plain counts (no database)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

THRESHOLD = Fraction(30, 100)


@dataclass(frozen=True)
class ShareCounts:
    """Individual awards of one issuing unit in one period: all of them and those to station officers.
    Collective awards do not enter the rule."""

    individual: int = 0
    at_station: int = 0

    def __add__(self, other: ShareCounts) -> ShareCounts:
        return ShareCounts(self.individual + other.individual, self.at_station + other.at_station)


def station_share(counts: ShareCounts) -> Fraction | None:
    """The share of individual awards that went to station officers; ``None`` (n/a) when there are none."""
    if counts.individual < 0 or counts.at_station < 0 or counts.at_station > counts.individual:
        raise ValueError("at_station must lie between 0 and individual")
    if counts.individual == 0:
        return None
    return Fraction(counts.at_station, counts.individual)


def is_below(share: Fraction | None, threshold: Fraction = THRESHOLD) -> bool:
    """Below the threshold; a share that is n/a (no individual awards) is not below."""
    return share is not None and share < threshold


def share_after(current: ShareCounts, added: ShareCounts) -> Fraction | None:
    """The share once ``added`` (e.g. a batch being confirmed) joins ``current``."""
    return station_share(current + added)


def percent(share: Fraction | None) -> float | None:
    return None if share is None else round(float(share) * 100, 1)
