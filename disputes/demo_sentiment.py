"""Sentiment reports of the demo province (called from ``disputes.demo.build``): about five a month
per station over the past year (a quarter of them from security household heads), most decided
within days — handled locally, passed to a department, or reported up — and closed; the last few
weeks' still open, some waiting for the station head. ``officer_station`` gets one of each situation
the pages show (an urgent report waiting, one reported up to the county, one passed on, one closed);
``officer_b_station`` a couple. Written with ``bulk_create``, audited as one load."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pgtrigger
from django.db import transaction
from django.utils import timezone

from common.demo import DemoContext
from disputes.choices import ReporterKind, SentimentCategory, SentimentState, Urgency

S = SentimentState
BATCH = 5000
CATEGORY_ODDS = (
    (SentimentCategory.DISPUTE, 22),
    (SentimentCategory.SAFETY, 18),
    (SentimentCategory.LIVELIHOOD, 16),
    (SentimentCategory.LABOUR, 10),
    (SentimentCategory.LAND, 10),
    (SentimentCategory.TRAFFIC, 8),
    (SentimentCategory.ENVIRONMENT, 7),
    (SentimentCategory.POLICE, 5),
    (SentimentCategory.OTHER, 4),
)
URGENCY_ODDS = ((Urgency.ROUTINE, 75), (Urgency.PROMPT, 17), (Urgency.URGENT, 8))
DECISION_ODDS = ((S.LOCAL, 70), (S.PASSED, 18), (S.REPORTED_COUNTY, 9), (S.REPORTED_CITY, 3))
TITLES = {
    SentimentCategory.DISPUTE: "村民反映宅基地边界争议",
    SentimentCategory.SAFETY: "群众反映夜间路灯不亮存在安全隐患",
    SentimentCategory.LIVELIHOOD: "居民反映小区供暖不足",
    SentimentCategory.LABOUR: "务工人员反映工资被拖欠",
    SentimentCategory.LAND: "村民对征地补偿有意见",
    SentimentCategory.TRAFFIC: "学校门口上下学时段交通拥堵",
    SentimentCategory.ENVIRONMENT: "群众反映企业夜间排放异味",
    SentimentCategory.POLICE: "群众希望增加夜间巡逻",
    SentimentCategory.OTHER: "群众来访反映其他问题",
}
DEPARTMENTS = ("乡镇政府", "住建部门", "人社部门", "交通运输部门", "生态环境部门", "村委会")


def _weighted(rng: Any, odds: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in odds], weights=[w for _, w in odds])[0]


def build_sentiment(ctx: DemoContext) -> None:
    from beats.models import HouseholdHead
    from disputes.models import SentimentReport, SentimentStep
    from stations.models import Officer

    rng = ctx.rng("disputes:sentiment")
    today = ctx.today
    now = timezone.now()
    tz = timezone.get_default_timezone()
    stations = [s for s in ctx.data["stations"] if s.is_active]
    station_ids = [s.pk for s in stations]
    showcase_a, showcase_b = ctx.data["officer_station"].pk, ctx.data["officer_b_station"].pk

    officers: dict[int, list[int]] = defaultdict(list)
    for pk, station_id in Officer.objects.filter(station_id__in=station_ids, is_active=True).values_list(
        "pk", "station_id"
    ):
        officers[station_id].append(pk)
    heads: dict[int, list[int]] = defaultdict(list)
    for pk, station_id in HouseholdHead.objects.filter(
        station_id__in=station_ids, is_active=True
    ).values_list("pk", "station_id"):
        heads[station_id].append(pk)
    users = ctx.data.get("users", {})
    station_user: dict[int, Any] = {}
    for user in users.values():
        if user.home_station_id and (user.home_station_id not in station_user or user.officer_id):
            station_user[user.home_station_id] = user
    head_user = users.get("station_head")

    def at(day: dt.date, hour: int) -> dt.datetime:
        return min(dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=tz), now)

    # (station, reported_on, category, urgency, [states after pending with their day offsets])
    plans: list[tuple[int, dt.date, str, str, list[tuple[str, int]]]] = []
    per_year = ctx.pick(0, 40, 60)
    for station_id in station_ids:
        if not officers[station_id]:
            continue
        if station_id == showcase_a:
            plans += [
                (station_id, today, SentimentCategory.SAFETY, Urgency.URGENT, []),
                (station_id, today - dt.timedelta(days=2), SentimentCategory.LIVELIHOOD, Urgency.ROUTINE, []),
                (
                    station_id,
                    today - dt.timedelta(days=6),
                    SentimentCategory.LAND,
                    Urgency.URGENT,
                    [(S.REPORTED_COUNTY, 1)],
                ),
                (
                    station_id,
                    today - dt.timedelta(days=20),
                    SentimentCategory.LABOUR,
                    Urgency.PROMPT,
                    [(S.PASSED, 1)],
                ),
                (
                    station_id,
                    today - dt.timedelta(days=40),
                    SentimentCategory.DISPUTE,
                    Urgency.ROUTINE,
                    [(S.LOCAL, 1), (S.CLOSED, 6)],
                ),
            ]
        elif station_id == showcase_b:
            plans += [
                (station_id, today - dt.timedelta(days=1), SentimentCategory.TRAFFIC, Urgency.URGENT, []),
                (
                    station_id,
                    today - dt.timedelta(days=30),
                    SentimentCategory.ENVIRONMENT,
                    Urgency.ROUTINE,
                    [(S.LOCAL, 2), (S.CLOSED, 9)],
                ),
            ]
        for _ in range(per_year):
            age = rng.randint(0, 364)
            reported = today - dt.timedelta(days=age)
            steps: list[tuple[str, int]] = []
            if age > 3 or rng.random() < 0.5:
                decision = _weighted(rng, DECISION_ODDS)
                steps.append((decision, rng.randint(0, 3)))
                if age > 30 or rng.random() < 0.3:
                    steps.append((S.CLOSED, steps[-1][1] + rng.randint(2, 25)))
            plans.append(
                (station_id, reported, _weighted(rng, CATEGORY_ODDS), _weighted(rng, URGENCY_ODDS), steps)
            )

    reports: list[SentimentReport] = []
    for station_id, reported, category, urgency, steps in plans:
        by_head = bool(heads[station_id]) and rng.random() < 0.25
        state, department, closed_on, last = S.PENDING, "", None, at(reported, 9)
        for to, offset in steps:
            day = min(reported + dt.timedelta(days=offset), today)
            last = max(last, at(day, 15))
            state = to
            if to == S.PASSED:
                department = rng.choice(DEPARTMENTS)
            if to == S.CLOSED:
                closed_on = timezone.localtime(last, tz).date()
        reports.append(
            SentimentReport(
                station_id=station_id,
                reporter_kind=ReporterKind.HOUSEHOLD_HEAD if by_head else ReporterKind.OFFICER,
                officer_id=rng.choice(officers[station_id]),
                household_head_id=rng.choice(heads[station_id]) if by_head else None,
                category=category,
                urgency=urgency,
                title=TITLES[category],
                place="",
                people="",
                account=TITLES[category] + "，民警已登记并了解情况。",
                reported_on=reported,
                state=state,
                department=department,
                closed_on=closed_on,
                last_action_at=last,
                created_by=station_user.get(station_id),
            )
        )
    quiet = [f"{model._meta.label}:insert_insert" for model in (SentimentReport, SentimentStep)]
    with transaction.atomic(), pgtrigger.ignore(*quiet):
        reports = SentimentReport.objects.bulk_create(reports, batch_size=BATCH)
        rows = []
        for (station_id, reported, _category, _urgency, steps), report in zip(plans, reports, strict=True):
            user = station_user.get(station_id)
            decider = head_user if head_user is not None and head_user.home_station_id == station_id else user
            rows.append(
                SentimentStep(
                    report=report,
                    from_state="",
                    to_state=S.PENDING,
                    at=at(reported, 9),
                    note="登记。",
                    user=user,
                )
            )
            state = S.PENDING
            for to, offset in steps:
                day = min(reported + dt.timedelta(days=offset), today)
                rows.append(
                    SentimentStep(
                        report=report,
                        from_state=state,
                        to_state=to,
                        at=min(max(at(day, 15), rows[-1].at), report.last_action_at),
                        note="已研判处置。" if to != S.CLOSED else "已办结。",
                        department=report.department if to == S.PASSED else "",
                        user=decider,
                    )
                )
                state = to
        SentimentStep.objects.bulk_create(rows, batch_size=BATCH)
    ctx.data["sentiment_reports"] = len(reports)
