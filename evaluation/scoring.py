"""Scoring: a pure function of metric values and indicator rules (no database, no clock).

``score_units`` gives every unit its points per indicator, its dynamic deductions (below a
threshold; bottom N of its level) with reasons, its total and its rank within its level. An
indicator whose metric has no data for a unit is left out of that unit's score (``points`` None).
Accepted appeals waive deductions: ``waived`` holds ``(unit_key, indicator_code, deduction_index)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    metric: str
    points: float
    target: float
    floor: float = 0.0
    rule: str = "linear"  # or "all_or_nothing"
    higher_is_better: bool = True
    deductions: tuple[dict[str, Any], ...] = ()


@dataclass
class UnitScore:
    unit_key: str
    level: str
    total: float = 0.0
    max_points: float = 0.0
    rank: int = 0
    breakdown: list[dict[str, Any]] = field(default_factory=list)


def base_points(rule: Rule, value: float) -> float:
    """Points for ``value`` under ``rule`` (for lower-is-better metrics target < floor)."""
    good = value >= rule.target if rule.higher_is_better else value <= rule.target
    if good:
        return rule.points
    if rule.rule == "all_or_nothing":
        return 0.0
    span = rule.target - rule.floor
    if not span:
        return 0.0
    share = (value - rule.floor) / span
    return round(max(0.0, min(1.0, share)) * rule.points, 2)


def _bottom(values: Mapping[str, float], n: int, higher_is_better: bool) -> set[str]:
    order = sorted(values, key=lambda key: (values[key] if higher_is_better else -values[key], key))
    return set(order[:n])


def score_units(
    rules: Iterable[Rule],
    values: Mapping[str, Mapping[str, float | None]],
    levels: Mapping[str, str],
    waived: Iterable[tuple[str, str, int]] = (),
) -> dict[str, UnitScore]:
    """Score every unit of ``levels`` (unit_key → level). ``values``: metric → unit_key → value."""
    rules = list(rules)
    waived_set = set(waived)
    scores = {key: UnitScore(unit_key=key, level=level) for key, level in levels.items()}
    for rule in rules:
        metric_values = values.get(rule.metric, {})
        bottoms: dict[tuple[int, str], set[str]] = {}
        for index, deduction in enumerate(rule.deductions):
            if deduction["kind"] == "bottom_n":
                for level in set(levels.values()):
                    at_level = {
                        key: v for key, v in metric_values.items()
                        if v is not None and levels.get(key) == level
                    }
                    bottoms[(index, level)] = _bottom(at_level, deduction["n"], rule.higher_is_better)
        for key, score in scores.items():
            value = metric_values.get(key)
            line: dict[str, Any] = {
                "code": rule.code, "name": rule.name, "metric": rule.metric, "max": rule.points,
                "target": rule.target, "value": value, "points": None, "deductions": [], "net": None,
            }
            if value is None:
                score.breakdown.append(line)
                continue
            points = base_points(rule, value)
            line["points"] = points
            if points < rule.points:
                line["lost"] = round(rule.points - points, 2)
            deducted = 0.0
            for index, deduction in enumerate(rule.deductions):
                if deduction.get("levels") and score.level not in deduction["levels"]:
                    continue
                if deduction["kind"] == "below":
                    hit = value < deduction["threshold"] if rule.higher_is_better else value > deduction["threshold"]
                    reason = f"below {deduction['threshold']}" if rule.higher_is_better else f"above {deduction['threshold']}"
                else:
                    hit = key in bottoms.get((index, score.level), set())
                    reason = f"bottom {deduction['n']} of level {score.level}"
                if not hit:
                    continue
                is_waived = (key, rule.code, index) in waived_set
                line["deductions"].append(
                    {"index": index, "kind": deduction["kind"], "points": deduction["points"], "reason": reason,
                     "waived": is_waived}
                )
                if not is_waived:
                    deducted += deduction["points"]
            line["net"] = round(points - deducted, 2)
            score.breakdown.append(line)
            score.total += line["net"]
            score.max_points += rule.points
    for score in scores.values():
        score.total = round(max(0.0, score.total), 2)
        score.max_points = round(score.max_points, 2)
    for level in set(levels.values()):
        ranked = sorted((s for s in scores.values() if s.level == level), key=lambda s: (-s.total, s.unit_key))
        previous: tuple[float, int] | None = None
        for position, score in enumerate(ranked, start=1):
            score.rank = previous[1] if previous and previous[0] == score.total else position
            previous = (score.total, score.rank)
    return scores
