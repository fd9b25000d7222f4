"""Figures of dispute work as pure arithmetic over plain counts: periods of whole months, resolution
rate, year-on-year change. No database, no clock: callers pass the counts and the period.

Definitions (the same in the live counts, the summary table and the pages):

* *found* — disputes found (``found_on``) in the period;
* *resolved* — of those found in the period, the ones resolved (as they stand now);
* *resolution rate* — resolved ÷ found; ``None`` ("n/a") when nothing was found;
* *open* — of those found in the period, the ones still in screening or mediation, by risk level;
* *transferred* — of those found in the period, the ones handed to a court, committee or department;
* *criminal* / *homicide* — disputes that escalated into a criminal case (民转刑) or a homicide (民转命)
  in the period (the date of the escalation), each dispute counted once, at its worst;
* *year on year* — the same months a year earlier; the change is ``None`` ("n/a") when last year
  had nothing to compare with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole calendar months, ``first`` to ``last`` inclusive (both the first day of their month)."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1:
            raise ValueError("a period runs over whole months")
        if self.last < self.first:
            raise ValueError("a period ends after it starts")

    @classmethod
    def months_of(cls, year: int, first_month: int = 1, last_month: int = 12) -> Period:
        return cls(dt.date(year, first_month, 1), dt.date(year, last_month, 1))

    @classmethod
    def year_to_date(cls, today: dt.date) -> Period:
        """January to the current month of ``today``'s year."""
        return cls(dt.date(today.year, 1, 1), month_start(today))

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        return add_months(self.last, 1) - dt.timedelta(days=1)

    @property
    def months(self) -> list[dt.date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    def last_year(self) -> Period:
        return Period(add_months(self.first, -12), add_months(self.last, -12))

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.end


def resolution_rate(*, resolved: int, found: int) -> float | None:
    """Share of the disputes found that were resolved (0–1); ``None`` when nothing was found."""
    if found <= 0:
        return None
    return resolved / found


def change(*, this: float | None, last: float | None) -> float | None:
    """Relative change on last year (−0.136 = down 13.6 %); ``None`` when last year is zero or unknown."""
    if this is None or last is None or last == 0:
        return None
    return this / last - 1


def change_points(*, this: float | None, last: float | None) -> float | None:
    """Change of a rate (0–1) on last year in percentage points; ``None`` when either is unknown."""
    if this is None or last is None:
        return None
    return (this - last) * 100


def percent(value: float | None, digits: int = 1) -> float | None:
    """0.9512 → 95.1; ``None`` stays ``None`` (shown as "n/a")."""
    return None if value is None else round(value * 100, digits)


@dataclass(frozen=True)
class Counts:
    """The dispute counts of one unit in one period (see the module's definitions)."""

    found: int = 0
    resolved: int = 0
    transferred: int = 0
    open_low: int = 0
    open_medium: int = 0
    open_high: int = 0
    criminal: int = 0
    homicide: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def open(self) -> int:
        return self.open_low + self.open_medium + self.open_high

    @property
    def escalated(self) -> int:
        return self.criminal + self.homicide

    @property
    def rate(self) -> float | None:
        return resolution_rate(resolved=self.resolved, found=self.found)


COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class FigureRow:
    """One unit's counts in a period and in the same period a year earlier."""

    unit_kind: str  # "region" or "station"
    unit_id: int
    name: str
    this: Counts
    last: Counts

    @property
    def rate(self) -> float | None:
        return self.this.rate

    @property
    def last_rate(self) -> float | None:
        return self.last.rate

    @property
    def rate_change_points(self) -> float | None:
        return change_points(this=self.rate, last=self.last_rate)

    def change_of(self, name: str) -> float | None:
        """Year-on-year change of one count (``"found"``, ``"criminal"`` …)."""
        return change(this=getattr(self.this, name), last=getattr(self.last, name))

    @property
    def found_change(self) -> float | None:
        return self.change_of("found")

    @property
    def resolved_change(self) -> float | None:
        return self.change_of("resolved")

    @property
    def criminal_change(self) -> float | None:
        return self.change_of("criminal")

    @property
    def homicide_change(self) -> float | None:
        return self.change_of("homicide")

    @property
    def open_change(self) -> float | None:
        return self.change_of("open")
