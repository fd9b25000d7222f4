from fractions import Fraction

import pytest

from rewards.shares import ShareCounts, is_below, percent, share_after, station_share


def test_no_awards_has_no_share_and_is_not_below() -> None:
    assert station_share(ShareCounts(0, 0)) is None
    assert is_below(None) is False
    assert percent(None) is None


def test_only_collective_awards_count_as_no_individual_awards() -> None:
    # Collective awards never enter the counts, so a unit with only those has a share of n/a.
    assert station_share(ShareCounts(individual=0, at_station=0)) is None


def test_share_arithmetic_and_the_30_percent_line() -> None:
    assert station_share(ShareCounts(10, 3)) == Fraction(3, 10)
    assert is_below(station_share(ShareCounts(10, 3))) is False
    assert is_below(station_share(ShareCounts(10, 2))) is True
    assert percent(Fraction(2, 7)) == 28.6


def test_share_after_adding_a_batch() -> None:
    assert share_after(ShareCounts(10, 4), ShareCounts(5, 0)) == Fraction(4, 15)
    assert share_after(ShareCounts(0, 0), ShareCounts(2, 1)) == Fraction(1, 2)


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        station_share(ShareCounts(2, 3))
