"""Mass prevention and training of the demo province (called from ``disputes.demo.build``): about two
activities a month per station over the past year with two to four officers each (household heads'
parts are entered through the app, where they feed the heads' activity records), and a session in
each of the four skills per station each year, most officers attending and passing. ``tiny`` keeps
a few at ``officer_station`` and ``officer_b_station``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pgtrigger
from django.db import transaction

from common.demo import DemoContext
from disputes.choices import PreventionKind, TrainingSkill

BATCH = 5000
PLACES = ("村委会广场", "集贸市场", "学校周边", "主干道", "小区门口")
TITLES = {
    TrainingSkill.SCREENING: "矛盾纠纷排查方法",
    TrainingSkill.MEDIATING: "调解技巧与案例",
    TrainingSkill.MOBILISING: "发动群众群防群治",
    TrainingSkill.POLICY: "相关法律政策解读",
}


def build_prevention(ctx: DemoContext) -> None:
    from disputes.models import PreventionActivity, PreventionParticipant, TrainingAttendance, TrainingSession
    from stations.models import Officer

    rng = ctx.rng("disputes:prevention")
    today = ctx.today
    stations = [s for s in ctx.data["stations"] if s.is_active]
    showcase = {ctx.data["officer_station"].pk, ctx.data["officer_b_station"].pk}
    officers: dict[int, list[int]] = defaultdict(list)
    for pk, station_id in Officer.objects.filter(station__in=stations, is_active=True).values_list(
        "pk", "station_id"
    ):
        officers[station_id].append(pk)

    activities, team = [], []
    sessions, attendees = [], []
    for station in stations:
        staff = officers[station.pk]
        if not staff:
            continue
        n_activities = ctx.pick(2 if station.pk in showcase else 0, 24, 24)
        for _ in range(n_activities):
            kind = rng.choice(PreventionKind.values)
            activities.append(
                PreventionActivity(
                    station=station,
                    kind=kind,
                    held_on=today - dt.timedelta(days=rng.randint(0, 364)),
                    place=rng.choice(PLACES),
                    people_reached=rng.randint(20, 300),
                )
            )
            team.append(rng.sample(staff, min(len(staff), rng.randint(2, 4))))
        skills = (
            TrainingSkill.values
            if ctx.scale != "tiny"
            else (TrainingSkill.values[:2] if station.pk in showcase else [])
        )
        for skill in skills:
            sessions.append(
                TrainingSession(
                    station=station,
                    skill=skill,
                    title=TITLES[skill],
                    held_on=today - dt.timedelta(days=rng.randint(1, 330)),
                    trainer="县局法制大队",
                    hours=Decimal("2"),
                )
            )
            attendees.append([(pk, rng.random() > 0.05) for pk in staff if rng.random() < 0.8])

    quiet = [
        f"{m._meta.label}:insert_insert"
        for m in (PreventionActivity, PreventionParticipant, TrainingSession, TrainingAttendance)
    ]
    with transaction.atomic(), pgtrigger.ignore(*quiet):
        activities = PreventionActivity.objects.bulk_create(activities, batch_size=BATCH)
        PreventionParticipant.objects.bulk_create(
            (
                PreventionParticipant(activity=a, officer_id=pk)
                for a, ids in zip(activities, team, strict=True)
                for pk in ids
            ),
            batch_size=BATCH,
        )
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=BATCH)
        TrainingAttendance.objects.bulk_create(
            (
                TrainingAttendance(session=s, officer_id=pk, passed=passed)
                for s, rows in zip(sessions, attendees, strict=True)
                for pk, passed in rows
            ),
            batch_size=BATCH,
        )
