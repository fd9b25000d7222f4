"""The domain rules of community policing as pure functions of plain data and an explicit ``now``
or period: judging a check-in, monthly compliance, eight-nos standing. No database, no clock."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from beats.choices import ALL_EIGHT, FIRST_FOUR, CheckInFlag
from beats.geometry import contains, haversine_m

# --- Check-ins ----------------------------------------------------------------------------------

JUMP_WINDOW = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Thresholds:
    """When a check-in is doubtful. The defaults are those of a fresh ``CheckInPolicy``."""

    max_accuracy_m: float = 100
    max_speed_kmh: float = 150
    max_jump_m: float = 50_000
    max_device_age: dt.timedelta = dt.timedelta(minutes=10)
    max_clock_ahead: dt.timedelta = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Fix:
    """A reported location: latitude, longitude, accuracy radius in metres and, if the device sent
    one, the device's own timestamp."""

    lat: float
    lon: float
    accuracy_m: float
    device_time: dt.datetime | None = None


@dataclass(frozen=True)
class PreviousCheckIn:
    lat: float
    lon: float
    accuracy_m: float
    at: dt.datetime


@dataclass(frozen=True)
class Verdict:
    inside_beat: bool
    flags: list[str] = field(default_factory=list)
    distance_from_previous_m: float | None = None
    speed_kmh: float | None = None

    @property
    def counts(self) -> bool:
        """A check-in with no flag counts toward compliance (a flagged one only once accepted)."""
        return not self.flags


def judge_check_in(
    *,
    fix: Fix,
    boundary: BaseGeometry | None,
    previous: PreviousCheckIn | None,
    thresholds: Thresholds,
    now: dt.datetime,
) -> Verdict:
    """Judge a check-in received at ``now``: inside the beat or not, and every reason to doubt it.

    * ``outside_beat`` — the point is not inside the boundary (nor on its edge);
      ``no_boundary`` instead when the beat has no boundary to judge against;
    * ``poor_accuracy`` — the accuracy radius is wider than ``max_accuracy_m``;
    * ``too_far`` — more than ``max_jump_m`` from the previous check-in of the last 12 hours;
    * ``too_fast`` — reaching here from the previous check-in needs more than ``max_speed_kmh``
      (the two accuracy radii are allowed for, so GPS jitter between close fixes is not speed);
    * ``stale`` / ``clock_ahead`` — the device timestamp is older than ``max_device_age`` or
      ahead of ``now`` by more than ``max_clock_ahead`` (a replayed or queued position).
    """
    flags: list[str] = []
    if boundary is None:
        inside = False
        flags.append(CheckInFlag.NO_BOUNDARY)
    else:
        inside = contains(boundary, lon=fix.lon, lat=fix.lat)
        if not inside:
            flags.append(CheckInFlag.OUTSIDE_BEAT)
    if fix.accuracy_m > thresholds.max_accuracy_m:
        flags.append(CheckInFlag.POOR_ACCURACY)

    distance = speed = None
    if previous is not None:
        distance = haversine_m(previous.lat, previous.lon, fix.lat, fix.lon)
        elapsed_h = max((now - previous.at).total_seconds(), 0.0) / 3600
        if now - previous.at <= JUMP_WINDOW and distance > thresholds.max_jump_m:
            flags.append(CheckInFlag.TOO_FAR)
        certain_m = max(distance - fix.accuracy_m - previous.accuracy_m, 0.0)
        if elapsed_h > 0:
            speed = distance / 1000 / elapsed_h
        if certain_m > 0 and (elapsed_h == 0 or certain_m / 1000 / elapsed_h > thresholds.max_speed_kmh):
            flags.append(CheckInFlag.TOO_FAST)

    if fix.device_time is not None:
        if fix.device_time < now - thresholds.max_device_age:
            flags.append(CheckInFlag.STALE)
        elif fix.device_time > now + thresholds.max_clock_ahead:
            flags.append(CheckInFlag.CLOCK_AHEAD)
    return Verdict(inside_beat=inside, flags=flags, distance_from_previous_m=distance, speed_kmh=speed)


# --- Monthly compliance ---------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    """The last day of ``month``'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def days_in_month(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def days_required(
    *, per_month: int, month: dt.date, assigned_from: dt.date, assigned_until: dt.date | None
) -> int:
    """Days an officer must check in in ``month`` when dedicated to a beat from ``assigned_from`` to
    ``assigned_until`` (inclusive; None: still): ``per_month`` pro rata to the days of the month
    assigned, rounded up, never more than the days assigned."""
    first, last = month_start(month), month_end(month)
    start = max(first, assigned_from)
    end = min(last, assigned_until) if assigned_until is not None else last
    if end < start:
        return 0
    assigned = (end - start).days + 1
    return min(assigned, math.ceil(per_month * assigned / days_in_month(month)))


@dataclass(frozen=True)
class Compliance:
    days_checked: int
    days_required: int

    @property
    def met(self) -> bool:
        return self.days_checked >= self.days_required

    @property
    def ratio(self) -> float | None:
        """Days checked over days required (capped at 1), None when nothing was required."""
        if self.days_required == 0:
            return None
        return min(1.0, self.days_checked / self.days_required)


def monthly_compliance(*, counted_days: Iterable[dt.date], month: dt.date, required: int) -> Compliance:
    """Compliance for ``month``: the distinct days of that month with a counting check-in."""
    first, last = month_start(month), month_end(month)
    days = {day for day in counted_days if first <= day <= last}
    return Compliance(days_checked=len(days), days_required=required)


# --- Eight nos ------------------------------------------------------------------------------------


def eight_nos_standing(broken: Iterable[str]) -> dict[str, bool]:
    """Each of the eight nos → still held, given the items broken in the year."""
    broken_set = set(broken)
    unknown = broken_set - set(ALL_EIGHT)
    if unknown:
        raise ValueError(f"not eight-nos items: {sorted(unknown)}")
    return {item: item not in broken_set for item in ALL_EIGHT}


def holds_all_eight(standing: dict[str, bool]) -> bool:
    return all(standing[item] for item in ALL_EIGHT)


def holds_first_four(standing: dict[str, bool]) -> bool:
    """No homicide, gangs, telecom fraud or drugs."""
    return all(standing[item] for item in FIRST_FOUR)
