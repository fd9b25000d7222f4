"""Scoring rules and deductions on hand-made data: no database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import validate_deductions
from evaluation.scoring import Rule, base_points, score_units

LEVELS = {"s:1": "station", "s:2": "station", "s:3": "station", "r:9": "county"}


def test_linear_rule_scales_between_floor_and_target() -> None:
    rule = Rule(code="q", name="q", metric="m", points=10, target=0.98, floor=0.8)
    assert base_points(rule, 0.99) == 10
    assert base_points(rule, 0.8) == 0
    assert base_points(rule, 0.7) == 0
    assert base_points(rule, 0.89) == 5.0


def test_all_or_nothing_and_lower_is_better() -> None:
    aon = Rule(code="a", name="a", metric="m", points=5, target=0.6, rule="all_or_nothing")
    assert base_points(aon, 0.6) == 5
    assert base_points(aon, 0.59) == 0
    lower = Rule(code="e", name="e", metric="m", points=20, target=0.0, floor=0.05, higher_is_better=False)
    assert base_points(lower, 0.0) == 20
    assert base_points(lower, 0.02) == 12.0
    assert base_points(lower, 0.1) == 0


def test_below_target_deduction_with_reason_and_level_filter() -> None:
    rule = Rule(code="q", name="quality", metric="m", points=10, target=0.9, floor=0.5,
                deductions=({"kind": "below", "threshold": 0.8, "points": 3, "levels": ["station"]},))
    values = {"m": {"s:1": 0.95, "s:2": 0.7, "s:3": 0.85, "r:9": 0.6}}
    scores = score_units([rule], values, LEVELS)
    assert scores["s:1"].total == 10
    line = scores["s:2"].breakdown[0]
    assert line["points"] == 5.0
    assert [d["points"] for d in line["deductions"]] == [3]
    assert "0.8" in line["deductions"][0]["reason"]
    assert scores["s:2"].total == 2.0
    # The rule is limited to stations: the county is below the threshold but not deducted.
    assert scores["r:9"].breakdown[0]["deductions"] == []
    assert scores["r:9"].total == 2.5


def test_bottom_n_of_its_level_is_deducted() -> None:
    rule = Rule(code="c", name="check-ins", metric="m", points=10, target=1.0, floor=0.0,
                deductions=({"kind": "bottom_n", "n": 2, "points": 1},))
    values = {"m": {"s:1": 0.9, "s:2": 0.5, "s:3": 0.6, "r:9": 0.1}}
    scores = score_units([rule], values, LEVELS)
    hit = {key for key, s in scores.items() if s.breakdown[0]["deductions"]}
    # The two lowest stations, and the only county (bottom 2 of a level of one).
    assert hit == {"s:2", "s:3", "r:9"}
    assert scores["s:2"].total == 4.0
    assert scores["s:1"].total == 9.0


def test_waived_deduction_is_kept_in_breakdown_but_not_deducted() -> None:
    rule = Rule(code="c", name="c", metric="m", points=10, target=1.0,
                deductions=({"kind": "bottom_n", "n": 1, "points": 2},))
    values = {"m": {"s:1": 0.9, "s:2": 0.5}}
    levels = {"s:1": "station", "s:2": "station"}
    before = score_units([rule], values, levels)
    after = score_units([rule], values, levels, waived=[("s:2", "c", 0)])
    assert before["s:2"].total == 3.0
    assert after["s:2"].total == 5.0
    assert after["s:2"].breakdown[0]["deductions"][0]["waived"] is True


def test_no_data_leaves_the_indicator_out_and_ranks_ties_together() -> None:
    rules = [Rule(code="a", name="a", metric="m", points=10, target=1.0),
             Rule(code="b", name="b", metric="pending", points=30, target=1.0)]
    values = {"m": {"s:1": 1.0, "s:2": 1.0, "s:3": 0.5}}
    scores = score_units(rules, values, {k: v for k, v in LEVELS.items() if k.startswith("s:")})
    assert scores["s:1"].max_points == 10
    assert scores["s:1"].breakdown[1]["points"] is None
    assert (scores["s:1"].rank, scores["s:2"].rank, scores["s:3"].rank) == (1, 1, 3)


def test_deduction_rules_are_validated() -> None:
    validate_deductions([{"kind": "below", "threshold": 0.9, "points": 2}, {"kind": "bottom_n", "n": 1, "points": 1}])
    for bad in ({"kind": "below", "points": 2}, [{"kind": "x", "points": 1}], [{"kind": "bottom_n", "n": 0, "points": 1}],
                [{"kind": "below", "threshold": 0.9, "points": -1}]):
        with pytest.raises(ValidationError):
            validate_deductions(bad)
