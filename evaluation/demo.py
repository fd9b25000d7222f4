"""Evaluation demo (runs last): the last months' periods, the latest month scored, and the officer
station's (and officer_b's) ledgers for it."""

from __future__ import annotations

import datetime as dt

from common.demo import DemoContext


def build(ctx: DemoContext) -> None:
    from evaluation import services

    first = ctx.today.replace(day=1)
    periods = []
    day = first - dt.timedelta(days=1)
    for _ in range(3):
        periods.append(services.period_month(day=day))
        day = day.replace(day=1) - dt.timedelta(days=1)
    latest = periods[0]
    services.assessment_score(period=latest, triggered_by="demo")
    stations = [ctx.data[k] for k in ("officer_station", "officer_b_station") if ctx.data.get(k) is not None]
    services.ledgers_generate(period=latest, station_ids=sorted({s.pk for s in stations}))
    ctx.data["evaluation_period"] = latest
