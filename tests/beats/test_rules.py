"""The check-in rules, monthly compliance and eight-nos standing as pure functions: explicit
thresholds and ``now``, no database, no clock."""

from __future__ import annotations

import datetime as dt

import pytest

from beats.choices import ALL_EIGHT, CheckInFlag, EightNo
from beats.geometry import offset, parse_boundary, star_polygon
from beats.rules import (
    Compliance,
    Fix,
    PreviousCheckIn,
    Thresholds,
    days_required,
    eight_nos_standing,
    holds_all_eight,
    holds_first_four,
    judge_check_in,
    monthly_compliance,
)

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=TZ)
CENTRE = (103.83, 36.06)  # lon, lat
BEAT = parse_boundary(star_polygon(lon=CENTRE[0], lat=CENTRE[1], radius_m=800, radii=[1.0] * 12))
T = Thresholds(max_accuracy_m=100, max_speed_kmh=150, max_jump_m=50_000, max_device_age=dt.timedelta(minutes=10))


def at(east_m: float = 0, north_m: float = 0, accuracy: float = 20, device_time: dt.datetime | None = None) -> Fix:
    lon, lat = offset(lon=CENTRE[0], lat=CENTRE[1], east_m=east_m, north_m=north_m)
    return Fix(lat=lat, lon=lon, accuracy_m=accuracy, device_time=device_time)


def previous(east_m: float = 0, north_m: float = 0, minutes_ago: float = 60, accuracy: float = 20) -> PreviousCheckIn:
    lon, lat = offset(lon=CENTRE[0], lat=CENTRE[1], east_m=east_m, north_m=north_m)
    return PreviousCheckIn(lat=lat, lon=lon, accuracy_m=accuracy, at=NOW - dt.timedelta(minutes=minutes_ago))


def judge(fix: Fix, prev: PreviousCheckIn | None = None, thresholds: Thresholds = T, boundary=BEAT):  # type: ignore[no-untyped-def]
    return judge_check_in(fix=fix, boundary=boundary, previous=prev, thresholds=thresholds, now=NOW)


# --- check-ins ----------------------------------------------------------------------------------


def test_a_good_fix_inside_the_beat_has_no_flag_and_counts() -> None:
    verdict = judge(at(100, 100), previous(-100, 0, minutes_ago=24 * 60))
    assert verdict.inside_beat
    assert verdict.flags == []
    assert verdict.counts
    assert verdict.distance_from_previous_m == pytest.approx(223.6, abs=1)


def test_outside_the_beat_is_flagged_not_dropped() -> None:
    verdict = judge(at(2000, 0))
    assert not verdict.inside_beat
    assert verdict.flags == [CheckInFlag.OUTSIDE_BEAT]
    assert not verdict.counts


def test_a_beat_without_boundary_cannot_be_judged() -> None:
    verdict = judge(at(), boundary=None)
    assert not verdict.inside_beat
    assert verdict.flags == [CheckInFlag.NO_BOUNDARY]


@pytest.mark.parametrize(("accuracy", "flagged"), [(20, False), (100, False), (100.5, True), (1500, True)])
def test_accuracy_worse_than_the_threshold_is_flagged(accuracy: float, flagged: bool) -> None:
    verdict = judge(at(accuracy=accuracy))
    assert (CheckInFlag.POOR_ACCURACY in verdict.flags) is flagged
    assert verdict.inside_beat  # the point itself is inside; the fix is just too vague to trust


def test_the_accuracy_threshold_is_the_callers() -> None:
    strict = Thresholds(max_accuracy_m=10)
    assert CheckInFlag.POOR_ACCURACY in judge(at(accuracy=20), thresholds=strict).flags
    assert CheckInFlag.POOR_ACCURACY not in judge(at(accuracy=20)).flags


def test_implausibly_fast_since_the_previous_check_in() -> None:
    # 5 km in one minute is 300 km/h.
    verdict = judge(at(0, 0), previous(5000, 0, minutes_ago=1))
    assert CheckInFlag.TOO_FAST in verdict.flags
    assert verdict.speed_kmh == pytest.approx(300, rel=0.01)
    # The same 5 km in an hour is 5 km/h: plausible.
    assert CheckInFlag.TOO_FAST not in judge(at(0, 0), previous(5000, 0, minutes_ago=60)).flags


def test_gps_jitter_between_close_fixes_is_not_speed() -> None:
    # 300 m in five seconds would be 216 km/h, but both fixes are ±200 m: the move is within their
    # uncertainty, so it is no evidence of speed.
    verdict = judge(at(0, 0, accuracy=200), previous(300, 0, minutes_ago=5 / 60, accuracy=200))
    assert CheckInFlag.TOO_FAST not in verdict.flags


def test_a_second_check_in_at_the_same_instant_elsewhere_is_too_fast() -> None:
    verdict = judge(at(0, 0), previous(3000, 0, minutes_ago=0))
    assert CheckInFlag.TOO_FAST in verdict.flags


def test_implausibly_far_from_a_check_in_of_the_last_twelve_hours() -> None:
    # 60 km in 11 hours is slow, but an officer of a beat does not move 60 km between check-ins.
    verdict = judge(at(0, 0), previous(60_000, 0, minutes_ago=11 * 60))
    assert CheckInFlag.TOO_FAR in verdict.flags
    assert CheckInFlag.TOO_FAST not in verdict.flags
    # The previous day's check-in 60 km away (a meeting in the city) is not doubtful.
    assert CheckInFlag.TOO_FAR not in judge(at(0, 0), previous(60_000, 0, minutes_ago=13 * 60)).flags


def test_stale_and_future_device_timestamps_are_flagged() -> None:
    assert CheckInFlag.STALE in judge(at(device_time=NOW - dt.timedelta(minutes=11))).flags
    assert judge(at(device_time=NOW - dt.timedelta(minutes=9))).flags == []
    assert CheckInFlag.CLOCK_AHEAD in judge(at(device_time=NOW + dt.timedelta(minutes=5))).flags
    assert judge(at(device_time=NOW + dt.timedelta(seconds=30))).flags == []


def test_several_reasons_are_all_listed() -> None:
    verdict = judge(at(3000, 0, accuracy=500, device_time=NOW - dt.timedelta(hours=2)), previous(0, 0, minutes_ago=0.5))
    assert set(verdict.flags) == {CheckInFlag.OUTSIDE_BEAT, CheckInFlag.POOR_ACCURACY, CheckInFlag.TOO_FAST, CheckInFlag.STALE}


# --- compliance ---------------------------------------------------------------------------------

MAY = dt.date(2026, 5, 1)


def test_days_required_for_a_whole_month_is_the_policy() -> None:
    assert days_required(per_month=20, month=MAY, assigned_from=dt.date(2025, 1, 1), assigned_until=None) == 20


def test_days_required_is_pro_rata_for_part_of_a_month() -> None:
    # Assigned from 17 May: 15 of 31 days → 20 × 15 / 31 = 9.7 → 10.
    assert days_required(per_month=20, month=MAY, assigned_from=dt.date(2026, 5, 17), assigned_until=None) == 10
    # Left on 3 May: 3 days → 20 × 3 / 31 = 1.9 → 2.
    assert days_required(per_month=20, month=MAY, assigned_from=dt.date(2026, 1, 1), assigned_until=dt.date(2026, 5, 3)) == 2
    # Not assigned in May at all.
    assert days_required(per_month=20, month=MAY, assigned_from=dt.date(2026, 6, 1), assigned_until=None) == 0
    # Never more days than assigned: 31 required a month, assigned for 2 days → 2.
    assert days_required(per_month=31, month=MAY, assigned_from=dt.date(2026, 5, 30), assigned_until=None) == 2


def test_monthly_compliance_counts_distinct_days_of_that_month_only() -> None:
    days = [dt.date(2026, 5, d) for d in (1, 1, 2, 3, 31)] + [dt.date(2026, 4, 30), dt.date(2026, 6, 1)]
    result = monthly_compliance(counted_days=days, month=dt.date(2026, 5, 17), required=4)
    assert result == Compliance(days_checked=4, days_required=4)
    assert result.met
    assert result.ratio == 1.0
    short = monthly_compliance(counted_days=days, month=MAY, required=20)
    assert not short.met
    assert short.ratio == pytest.approx(0.2)
    assert Compliance(days_checked=3, days_required=0).ratio is None


# --- eight nos ------------------------------------------------------------------------------------


def test_eight_nos_standing_from_breaches() -> None:
    clean = eight_nos_standing([])
    assert holds_all_eight(clean) and holds_first_four(clean)
    assert set(clean) == set(ALL_EIGHT)

    cults = eight_nos_standing([EightNo.CULTS])
    assert not holds_all_eight(cults)
    assert holds_first_four(cults)

    for item in (EightNo.HOMICIDE, EightNo.GANGS, EightNo.TELECOM_FRAUD, EightNo.DRUGS):
        standing = eight_nos_standing([item, item])
        assert not holds_first_four(standing)
        assert [k for k, held in standing.items() if not held] == [item]


def test_unknown_eight_nos_items_are_refused() -> None:
    with pytest.raises(ValueError, match="not eight-nos items"):
        eight_nos_standing(["littering"])
