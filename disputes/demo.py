"""The disputes part of the demo province: last year and this year of disputes with their parties,
timelines, mediation sessions and follow-up visits, at a realistic mix.

* About 95 % of the disputes found are resolved (at province scale exactly 40,000 found last year and
  38,000 of them resolved); most of the rest go to a court, the people's mediation committee or another
  department; the youngest are still in screening or mediation.
* A small number escalate, fewer this year than last: at province scale 220 → 190 disputes turned into
  criminal cases (−13.6 %) and 14 → 13 into homicides (−7.1 %) from January to the current month, the
  period the figures page opens on. Smaller scales keep the direction with proportionate counts.
* ``officer_station`` gets, besides its share, one dispute in each situation the pages show: a
  high-risk dispute nobody touched for two weeks, a follow-up visit due, a dispute that flared up
  and was reopened, a transfer and an escalation.

Everything is written with ``bulk_create``; the monthly figures are computed at the end.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pgtrigger
from django.db import transaction
from django.utils import timezone

from common.demo import DemoContext
from disputes.choices import (
    DisputeKind,
    DisputeState,
    FollowUpOutcome,
    FollowUpStatus,
    FoundBy,
    MediationMethod,
    MediationOutcome,
    PartyRole,
    RiskLevel,
)
from disputes.figures import add_months

S = DisputeState
BATCH = 5000
PROVINCE_FOUND_PER_YEAR = 40_000
RESOLVED_SHARE = 0.95
# Escalations at province scale in the months January → the current month, last year and this year.
PROVINCE_CRIMINAL = (220, 190)
PROVINCE_HOMICIDE = (14, 13)
ATTENTION_QUIET_DAYS = 14

KIND_ODDS = (
    (DisputeKind.NEIGHBOUR, 30),
    (DisputeKind.FAMILY, 22),
    (DisputeKind.LAND, 15),
    (DisputeKind.LABOUR, 10),
    (DisputeKind.DEBT, 10),
    (DisputeKind.TRAFFIC, 8),
    (DisputeKind.OTHER, 5),
)
FOUND_BY_ODDS = (
    (FoundBy.SCREENING, 35),
    (FoundBy.HOUSEHOLD_HEAD, 20),
    (FoundBy.CALL, 20),
    (FoundBy.WALK_IN, 18),
    (FoundBy.DEPARTMENT, 7),
)
RISK_ODDS = ((RiskLevel.LOW, 65), (RiskLevel.MEDIUM, 27), (RiskLevel.HIGH, 8))
TRANSFER_ODDS = ((S.TRANSFERRED_COMMITTEE, 55), (S.TRANSFERRED_COURT, 30), (S.TRANSFERRED_DEPARTMENT, 15))
METHOD_ODDS = (
    (MediationMethod.ON_SITE, 35),
    (MediationMethod.AT_ROOM, 25),
    (MediationMethod.AT_STATION, 20),
    (MediationMethod.PHONE, 10),
    (MediationMethod.JOINT, 8),
    (MediationMethod.VIDEO, 2),
)
INTERIM_OUTCOME_ODDS = (
    (MediationOutcome.NO_AGREEMENT, 3),
    (MediationOutcome.PARTIAL, 3),
    (MediationOutcome.ADJOURNED, 2),
)
TITLES = {
    DisputeKind.NEIGHBOUR: (
        "邻里噪音纠纷",
        "宅基地界墙纠纷",
        "楼道堆物纠纷",
        "排水沟渠纠纷",
        "饲养宠物扰邻纠纷",
        "漏水渗水纠纷",
    ),
    DisputeKind.FAMILY: ("夫妻感情纠纷", "赡养老人纠纷", "家庭财产分割纠纷", "子女抚养纠纷", "婆媳矛盾"),
    DisputeKind.LAND: (
        "土地承包经营权纠纷",
        "林地边界纠纷",
        "房屋买卖纠纷",
        "宅基地使用权纠纷",
        "征地补偿纠纷",
    ),
    DisputeKind.LABOUR: ("拖欠农民工工资纠纷", "工伤赔偿纠纷", "劳务报酬纠纷", "解除劳动合同纠纷"),
    DisputeKind.DEBT: ("民间借贷纠纷", "货款拖欠纠纷", "担保债务纠纷", "合伙经营债务纠纷"),
    DisputeKind.TRAFFIC: ("交通事故赔偿纠纷", "停车位纠纷", "车辆剐蹭赔偿纠纷"),
    DisputeKind.OTHER: ("消费纠纷", "物业服务纠纷", "医疗纠纷", "校园纠纷"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林梁宋郑谢韩唐冯董程曹袁邓许魏苏牛蒲石姚雷安包祁汪丁贾常"
GIVEN = "伟芳娜敏静强磊军洋勇艳杰涛明超秀霞平刚桂文辉鹏华红建国海宁鑫斌飞亮俊峰燕玲晓志彬琳雪龙岩兴成荣瑞凯"
MOBILE = ("133", "138", "139", "153", "177", "180", "181", "189", "191", "199", "136", "151")
MEDIATORS = ("治安户长", "村调委会主任", "社区网格员", "村支书", "司法所干部", "人民调解员")


_CUMULATIVE: dict[tuple[tuple[Any, int], ...], tuple[list[Any], list[int]]] = {}


def _weighted(rng: random.Random, odds: tuple[tuple[Any, int], ...]) -> Any:
    """One value drawn with the given integer weights (cumulative weights computed once per table)."""
    table = _CUMULATIVE.get(odds)
    if table is None:
        values, cumulative, total = [], [], 0
        for value, weight in odds:
            total += weight
            values.append(value)
            cumulative.append(total)
        table = _CUMULATIVE[odds] = (values, cumulative)
    values, cumulative = table
    return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


@dataclass
class Step:
    day: dt.date
    to: str
    note: str = ""


@dataclass
class SessionPlan:
    day: dt.date
    method: str
    outcome: str
    mediators: str


@dataclass
class FollowUpPlan:
    due: dt.date
    status: str
    done: dt.date | None = None
    outcome: str = ""


@dataclass
class DisputePlan:
    station_id: int
    found_on: dt.date
    kind: str
    found_by: str
    risk: str
    steps: list[Step] = field(default_factory=list)
    sessions: list[SessionPlan] = field(default_factory=list)
    followups: list[FollowUpPlan] = field(default_factory=list)
    last_action: dt.date | None = None
    showcase: bool = False

    @property
    def state(self) -> str:
        return self.steps[-1].to if self.steps else S.SCREENING

    @property
    def closed_on(self) -> dt.date | None:
        if self.state in (S.SCREENING, S.MEDIATING):
            return None
        return self.steps[-1].day


def _counts(ctx: DemoContext, n_stations: int) -> tuple[int, tuple[int, int], tuple[int, int]]:
    """(found per year, criminal (last, this), homicide (last, this)) for the scale."""
    if ctx.scale == "province":
        return PROVINCE_FOUND_PER_YEAR, PROVINCE_CRIMINAL, PROVINCE_HOMICIDE
    if ctx.scale == "tiny":
        return 60, (4, 3), (2, 1)
    share = min(1.0, n_stations / 1000)
    found = max(200, round(PROVINCE_FOUND_PER_YEAR * share))
    criminal_last = max(3, round(PROVINCE_CRIMINAL[0] * share))
    homicide_last = max(2, round(PROVINCE_HOMICIDE[0] * share))
    return (
        found,
        (criminal_last, round(criminal_last * PROVINCE_CRIMINAL[1] / PROVINCE_CRIMINAL[0])),
        (homicide_last, homicide_last - 1),
    )


class Planner:
    """Decides every dispute's story as plain data (no database)."""

    def __init__(self, ctx: DemoContext, station_ids: list[int], weights: list[float]) -> None:
        self.ctx = ctx
        self.rng = ctx.rng("disputes")
        self.today = ctx.today
        self.station_ids = station_ids
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        self.cum_weights = cumulative  # computed once: rng.choices would redo it per dispute

    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        span = (last - first).days
        return first + dt.timedelta(days=self.rng.randint(0, max(span, 0)))

    def new(self, found_on: dt.date, station_id: int | None = None) -> DisputePlan:
        rng = self.rng
        station = (
            station_id
            if station_id is not None
            else rng.choices(self.station_ids, cum_weights=self.cum_weights)[0]
        )
        return DisputePlan(
            station_id=station,
            found_on=found_on,
            kind=_weighted(rng, KIND_ODDS),
            found_by=_weighted(rng, FOUND_BY_ODDS),
            risk=_weighted(rng, RISK_ODDS),
        )

    def later(self, day: dt.date, low: int, high: int, *, until: dt.date | None = None) -> dt.date:
        until = min(until or self.today, self.today)
        return min(day + dt.timedelta(days=self.rng.randint(low, high)), until)

    def mediate(self, plan: DisputePlan, start: dt.date, until: dt.date, sessions: int) -> dt.date:
        """Mediation from ``start``: the move to mediating and ``sessions`` sessions up to ``until``."""
        if plan.state == S.SCREENING:
            plan.steps.append(Step(start, S.MEDIATING))
        day = start
        for index in range(sessions):
            day = self.later(day, 0 if index == 0 else 2, 9, until=until)
            last = index == sessions - 1
            outcome = MediationOutcome.AGREEMENT if last else _weighted(self.rng, INTERIM_OUTCOME_ODDS)
            mediators = "、".join(self.rng.sample(MEDIATORS, self.rng.randint(0, 2)))
            plan.sessions.append(SessionPlan(day, _weighted(self.rng, METHOD_ODDS), outcome, mediators))
        return day

    def resolve(self, plan: DisputePlan, day: dt.date, note: str = "") -> None:
        plan.steps.append(Step(day, S.RESOLVED, note))
        for offset in (7, 30):
            due = day + dt.timedelta(days=offset)
            if due <= self.today - dt.timedelta(days=2):
                done = self.later(due, -1, 2, until=self.today)
                outcome = FollowUpOutcome.STABLE if self.rng.random() < 0.93 else FollowUpOutcome.UNEASY
                plan.followups.append(FollowUpPlan(due, FollowUpStatus.DONE, done, outcome))
            else:
                plan.followups.append(FollowUpPlan(due, FollowUpStatus.PENDING))

    def story_resolved(self, plan: DisputePlan, *, reopen: bool = False) -> None:
        rng, found = self.rng, plan.found_on
        if rng.random() < 0.2:
            self.resolve(plan, self.later(found, 0, 2))
            return
        start = self.later(found, 0, 3)
        last_session = self.mediate(plan, start, self.later(start, 3, 40), rng.randint(1, 3))
        self.resolve(plan, last_session)
        if (
            reopen
            and plan.followups
            and plan.followups[0].status == FollowUpStatus.DONE
            and plan.followups[0].done
        ):
            # A follow-up visit found it flared up again: reopened, mediated once more, resolved.
            visit = plan.followups[0]
            visit.outcome = FollowUpOutcome.FLARED_UP
            for other in plan.followups[1:]:
                other.status, other.done, other.outcome = FollowUpStatus.CANCELLED, None, ""
            plan.steps.append(Step(visit.done, S.MEDIATING, "回访发现矛盾反弹，重新调解。"))
            again = self.mediate(plan, visit.done, self.later(visit.done, 5, 30), 1)
            self.resolve(plan, again)

    def story_closed(self, plan: DisputePlan, to: str, day: dt.date, note: str) -> None:
        if (day - plan.found_on).days >= 2:
            start = self.later(plan.found_on, 0, 2, until=day)
            self.mediate(plan, start, day, self.rng.randint(1, 2))
        plan.steps.append(Step(day, to, note))

    def story_open(self, plan: DisputePlan) -> None:
        age = (self.today - plan.found_on).days
        if age >= 1 and self.rng.random() < 0.7:
            start = self.later(plan.found_on, 0, min(age, 3))
            self.mediate(plan, start, self.today, self.rng.randint(1, 2))


def plan(
    ctx: DemoContext, station_ids: list[int], officer_station_id: int, officer_b_station_id: int
) -> list[DisputePlan]:
    """Every dispute of the demo, as plain data: a pure function of the context and the stations."""
    today = ctx.today
    weights = [1.0] * len(station_ids)
    if ctx.scale == "tiny":
        weights = [
            3.0 if sid == officer_station_id else 1.5 if sid == officer_b_station_id else 1.0
            for sid in station_ids
        ]
    planner = Planner(ctx, station_ids, weights)
    rng = planner.rng
    per_year, criminal, homicide = _counts(ctx, len(station_ids))

    this_year = dt.date(today.year, 1, 1)
    last_year = dt.date(today.year - 1, 1, 1)
    # The same months last year: January to the end of the current month.
    same_period_end = add_months(dt.date(today.year - 1, today.month, 1), 1) - dt.timedelta(days=1)

    plans: list[DisputePlan] = []
    day = last_year
    rate = per_year / 365
    carry = 0.0
    while day <= today:
        carry += rate
        while carry >= 1:
            plans.append(planner.new(day))
            carry -= 1
        day += dt.timedelta(days=1)
    # Last year exactly ``per_year`` found (the rounding of the daily rate may leave a few short).
    found_last_year = [p for p in plans if p.found_on.year == last_year.year]
    for _ in range(per_year - len(found_last_year)):
        plans.append(planner.new(planner.day_between(last_year, dt.date(last_year.year, 12, 31))))

    # Escalations: in the same months of last year and this year exactly as planned; last year's
    # remaining months at last year's rate.
    chosen: set[int] = set()

    def escalate(to: str, count: int, first: dt.date, last: dt.date, note: str) -> None:
        pool = [i for i, p in enumerate(plans) if first <= p.found_on <= last and i not in chosen]
        for index in rng.sample(pool, min(count, len(pool))):
            chosen.add(index)
            plan_ = plans[index]
            plan_.risk = RiskLevel.HIGH
            day_ = planner.later(plan_.found_on, 0, 25, until=last)
            planner.story_closed(plan_, to, day_, note)

    months_so_far = today.month
    rest_of_last_year = 12 - months_so_far
    for to, (last_count, this_count), note in (
        (S.ESCALATED_CRIMINAL, criminal, "矛盾激化，已立为刑事案件移交办案部门。"),
        (S.ESCALATED_HOMICIDE, homicide, "矛盾激化引发命案，已移交刑侦部门。"),
    ):
        escalate(to, last_count, last_year, same_period_end, note)
        escalate(to, this_count, this_year, today, note)
        if rest_of_last_year:
            extra = round(last_count * rest_of_last_year / months_so_far)
            escalate(to, extra, same_period_end + dt.timedelta(days=1), dt.date(last_year.year, 12, 31), note)

    # The rest. Disputes found 45 days ago or more: 95 % of each year's (escalated ones included in
    # the base) resolved, the others transferred. Younger ones: most are resolved within two weeks,
    # a few transferred, the rest still open.
    for year_start in (last_year, this_year):
        year_end = min(dt.date(year_start.year, 12, 31), today)
        indices = [i for i, p in enumerate(plans) if year_start <= p.found_on <= year_end and i not in chosen]
        rng.shuffle(indices)
        settled = [i for i in indices if (today - plans[i].found_on).days >= 45]
        young = [i for i in indices if (today - plans[i].found_on).days < 45]
        escalated_settled = sum(
            1
            for i in chosen
            if year_start <= plans[i].found_on <= year_end and (today - plans[i].found_on).days >= 45
        )
        resolved_count = min(len(settled), round((len(settled) + escalated_settled) * RESOLVED_SHARE))
        for i in settled[:resolved_count]:
            planner.story_resolved(plans[i], reopen=rng.random() < 0.02)
        for i in settled[resolved_count:]:
            target = _weighted(rng, TRANSFER_ODDS)
            planner.story_closed(
                plans[i], target, planner.later(plans[i].found_on, 3, 30), "按程序移交处理。"
            )
        for i in young:
            age = (today - plans[i].found_on).days
            roll = rng.random()
            resolved_odds = min(0.95, age / 14)
            if roll < resolved_odds:
                planner.story_resolved(plans[i])
            elif roll < resolved_odds + 0.03 and age >= 3:
                target = _weighted(rng, TRANSFER_ODDS)
                planner.story_closed(
                    plans[i], target, planner.later(plans[i].found_on, 3, age), "按程序移交处理。"
                )
            else:
                planner.story_open(plans[i])

    plans.extend(_showcase(planner, officer_station_id))
    for p in plans:
        days = [
            p.found_on,
            *(s.day for s in p.steps),
            *(s.day for s in p.sessions),
            *(f.done for f in p.followups if f.done),
        ]
        p.last_action = max(days)
    return plans


def _showcase(planner: Planner, station_id: int) -> list[DisputePlan]:
    """One dispute at the officer's station for each situation the pages must show."""
    today = planner.today
    out = []
    stale = planner.new(today - dt.timedelta(days=ATTENTION_QUIET_DAYS + 6), station_id)
    stale.risk, stale.kind = RiskLevel.HIGH, DisputeKind.LAND
    planner.mediate(stale, stale.found_on, today - dt.timedelta(days=ATTENTION_QUIET_DAYS), 1)
    stale.sessions[-1].outcome = MediationOutcome.NO_AGREEMENT
    out.append(stale)

    due = planner.new(today - dt.timedelta(days=12), station_id)
    planner.mediate(due, due.found_on, today - dt.timedelta(days=8), 1)
    due.steps.append(Step(today - dt.timedelta(days=8), S.RESOLVED))
    due.followups.append(FollowUpPlan(today - dt.timedelta(days=1), FollowUpStatus.PENDING))
    due.followups.append(FollowUpPlan(today + dt.timedelta(days=22), FollowUpStatus.PENDING))
    out.append(due)

    fresh = planner.new(today, station_id)
    fresh.risk = RiskLevel.MEDIUM
    out.append(fresh)

    reopened = planner.new(today - dt.timedelta(days=40), station_id)
    planner.mediate(reopened, reopened.found_on, today - dt.timedelta(days=30), 2)
    reopened.steps.append(Step(today - dt.timedelta(days=30), S.RESOLVED))
    reopened.followups.append(
        FollowUpPlan(
            today - dt.timedelta(days=23),
            FollowUpStatus.DONE,
            today - dt.timedelta(days=23),
            FollowUpOutcome.FLARED_UP,
        )
    )
    reopened.followups.append(FollowUpPlan(today, FollowUpStatus.CANCELLED))
    reopened.steps.append(Step(today - dt.timedelta(days=23), S.MEDIATING, "回访发现矛盾反弹，重新调解。"))
    planner.mediate(reopened, today - dt.timedelta(days=20), today - dt.timedelta(days=3), 1)
    reopened.sessions[-1].outcome = MediationOutcome.PARTIAL
    out.append(reopened)

    moved = planner.new(today - dt.timedelta(days=25), station_id)
    planner.story_closed(
        moved, S.TRANSFERRED_COMMITTEE, today - dt.timedelta(days=15), "移交村人民调解委员会。"
    )
    out.append(moved)
    for p in out:
        p.showcase = True
    return out


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _phone(rng: random.Random) -> str:
    return rng.choice(MOBILE) + f"{rng.randint(0, 99_999_999):08d}"


def build(ctx: DemoContext) -> None:
    from beats.models import Beat, Community
    from disputes.models import Dispute, FollowUp, MediationSession, Party, Transition
    from disputes.services import dispute_figures_refresh
    from stations.models import Officer

    stations = ctx.data["stations"]
    officer_station = ctx.data["officer_station"]
    officer_b_station = ctx.data["officer_b_station"]
    station_ids = [s.pk for s in stations if s.is_active]
    plans = plan(ctx, station_ids, officer_station.pk, officer_b_station.pk)
    rng = ctx.rng("disputes:details")
    tz = timezone.get_default_timezone()

    officers: dict[int, list[int]] = defaultdict(list)
    for officer_id, station_id in Officer.objects.filter(
        station_id__in=station_ids, is_active=True
    ).values_list("pk", "station_id"):
        officers[station_id].append(officer_id)
    beats: dict[int, list[int]] = defaultdict(list)
    for beat_id, station_id in Beat.objects.filter(station_id__in=station_ids).values_list(
        "pk", "station_id"
    ):
        beats[station_id].append(beat_id)
    communities: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for community_id, station_id, beat_id in Community.objects.filter(station_id__in=station_ids).values_list(
        "pk", "station_id", "beat_id"
    ):
        communities[station_id].append((community_id, beat_id))
    station_user: dict[int, Any] = {}
    for user in ctx.data.get("users", {}).values():
        if user.home_station_id and (user.home_station_id not in station_user or user.officer_id):
            station_user[user.home_station_id] = user
    persons = _registry_sample(station_ids)

    now = timezone.now()

    def at(day: dt.date, hour: int, minute: int | None = None) -> dt.datetime:
        """A moment on ``day`` (never in the future: today's steps happened by now)."""
        moment = dt.datetime.combine(
            day, dt.time(hour, rng.randint(0, 59) if minute is None else minute), tzinfo=tz
        )
        return min(moment, now)

    disputes = []
    persona = ctx.data.get("users", {}).get("officer")
    for p in plans:
        officer_id = rng.choice(officers[p.station_id]) if officers[p.station_id] else None
        if p.showcase and persona is not None and persona.officer_id:
            officer_id = persona.officer_id
        community_id, beat_id = None, None
        if communities[p.station_id] and rng.random() < 0.8:
            community_id, beat_id = rng.choice(communities[p.station_id])
        elif beats[p.station_id] and rng.random() < 0.8:
            beat_id = rng.choice(beats[p.station_id])
        reported = None
        if p.found_by != FoundBy.SCREENING:
            reported = max(p.found_on - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2))), dt.date(1970, 1, 1))
        disputes.append(
            Dispute(
                station_id=p.station_id,
                beat_id=beat_id,
                community_id=community_id,
                title=rng.choice(TITLES[p.kind]),
                kind=p.kind,
                found_by=p.found_by,
                risk=p.risk,
                account="双方因琐事发生争执，经排查登记，民警已介入了解情况。",
                reported_on=reported,
                found_on=p.found_on,
                officer_id=officer_id,
                state=p.state,
                closed_on=p.closed_on,
                last_action_at=at(p.last_action or p.found_on, 18, 0),
                created_by=station_user.get(p.station_id),
            )
        )
    # The demo is loaded like an import: audited as one load (the load_demo audit context), not row
    # by row, as the registry's demo does — per-row insert events would double the cost of the load.
    quiet = [
        f"{model._meta.label}:insert_insert"
        for model in (Dispute, Party, Transition, MediationSession, FollowUp)
    ]
    with transaction.atomic(), pgtrigger.ignore(*quiet):
        disputes = Dispute.objects.bulk_create(disputes, batch_size=BATCH)

        steps, sessions, followups, parties = [], [], [], []
        for p, d in zip(plans, disputes, strict=True):
            user = station_user.get(p.station_id)
            officer_id = d.officer_id
            steps.append(
                Transition(
                    dispute=d,
                    from_state="",
                    to_state=S.SCREENING,
                    at=at(p.found_on, 8),
                    note="登记。",
                    user=user,
                    officer_id=officer_id,
                )
            )
            state = S.SCREENING
            for index, step in enumerate(p.steps):
                steps.append(
                    Transition(
                        dispute=d,
                        from_state=state,
                        to_state=step.to,
                        at=at(step.day, 9 + min(index, 8)),
                        note=step.note,
                        user=user,
                        officer_id=officer_id,
                    )
                )
                state = step.to
            for s in p.sessions:
                sessions.append(
                    MediationSession(
                        dispute=d,
                        held_on=s.day,
                        officer_id=officer_id,
                        mediators=s.mediators,
                        method=s.method,
                        outcome=s.outcome,
                        recorded_by=user,
                        note="双方达成调解协议。" if s.outcome == MediationOutcome.AGREEMENT else "",
                    )
                )
            for f in p.followups:
                followups.append(
                    FollowUp(
                        dispute=d,
                        due_on=f.due,
                        status=f.status,
                        done_on=f.done,
                        outcome=f.outcome,
                        officer_id=officer_id if f.done else None,
                        recorded_by=user,
                    )
                )
            sample = persons.get(p.station_id, [])
            for role in (
                PartyRole.FIRST,
                PartyRole.SECOND,
                *((PartyRole.OTHER,) if rng.random() < 0.15 else ()),
            ):
                if sample and rng.random() < 0.4:
                    person_id, name, phone = rng.choice(sample)
                    parties.append(Party(dispute=d, role=role, person_id=person_id, name=name, phone=phone))
                else:
                    parties.append(Party(dispute=d, role=role, name=_name(rng), phone=_phone(rng)))
        Transition.objects.bulk_create(steps, batch_size=BATCH)
        MediationSession.objects.bulk_create(sessions, batch_size=BATCH)
        FollowUp.objects.bulk_create(followups, batch_size=BATCH)
        Party.objects.bulk_create(parties, batch_size=BATCH)
    dispute_figures_refresh(now=at(ctx.today, 0))
    ctx.data["disputes"] = disputes

    from disputes.demo_prevention import build_prevention
    from disputes.demo_sentiment import build_sentiment
    from disputes.demo_visits import build_visits

    build_visits(ctx)
    build_sentiment(ctx)
    build_prevention(ctx)


def _registry_sample(station_ids: list[int], per_station: int = 20) -> dict[int, list[tuple[int, str, str]]]:
    """A few registry persons per station to stand as parties (when the registry demo made any)."""
    try:
        from registry.models import Person
    except ImportError:  # pragma: no cover - the registry is always installed
        return {}
    sample: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    rows = (
        Person.objects.filter(deleted=False, station_id__in=station_ids)
        .order_by()
        .values_list("pk", "station_id", "name", "phone")[: per_station * len(station_ids)]
    )
    for pk, station_id, name, phone in rows:
        if len(sample[station_id]) < per_station:
            sample[station_id].append((pk, name, phone))
    return sample
