"""The rewards part of the demo province: a year of commendations (at province scale 582 stations and
2,756 officers commended; 301 wartime awards reaching 2,231 people), household heads' points from their
confirmed activities, and per-event rewards, some approved and some waiting for the station head."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from common.demo import DemoContext

BATCH = 2000
REASONS = ("社区警务工作成绩突出", "化解重大矛盾纠纷", "抓获在逃人员", "一标三实采集成绩突出", "疫情防控表现突出")
EMERGENCIES = ("新冠肺炎疫情防控", "积石山地震救援", "夏季防汛抢险")
DEEDS = ("协助抓获盗窃嫌疑人", "及时报告火情", "劝阻电信诈骗转账", "救助落水儿童")


def build(ctx: DemoContext) -> None:
    from beats.models import HouseholdHead
    from rewards import services
    from rewards.models import (
        Award,
        AwardBatch,
        AwardLevel,
        BatchStatus,
        EventReward,
        PointEntry,
        RewardStatus,
    )
    from stations.choices import RegionLevel
    from stations.models import Posting

    rng = ctx.rng("rewards")
    regions = ctx.data["regions"]
    stations = list(ctx.data["stations"])
    officers = list(ctx.data["officers"])
    users = ctx.data["users"]
    officer_station = ctx.data["officer_station"]
    officer_b_station = ctx.data["officer_b_station"]
    levels = list(AwardLevel.objects.order_by("rank"))
    by_id = {r.pk: r for r in regions.values()}
    province = next(r for r in regions.values() if r.level == RegionLevel.PROVINCE)
    year_start = ctx.today - dt.timedelta(days=364)

    def day() -> dt.date:
        return year_start + dt.timedelta(days=rng.randint(0, 364))

    def level() -> Any:
        return rng.choices(levels, (1, 3, 12, 40, 5)[: len(levels)] or None)[0]

    postings: dict[int, list[Any]] = {}
    for p in Posting.objects.filter(officer__in=officers).order_by("start"):
        postings.setdefault(p.officer_id, []).append(p)

    def placed(officer: Any, on: dt.date) -> tuple[int | None, int]:
        for p in reversed(postings.get(officer.pk, [])):
            if p.start <= on and (p.end is None or p.end >= on):
                return p.station_id, p.region_id
        return officer.station_id, officer.region_id

    def issuer_for(region_id: int) -> Any:
        region = by_id[region_id]
        choices = [region]
        if region.parent_id:
            choices.append(by_id[region.parent_id])
        choices.append(province)
        return rng.choice(choices)

    n_stations = min(len(stations), ctx.pick(4, 60, 582))
    n_officers = ctx.pick(12, 280, 2756)
    n_wartime, wartime_people = ctx.pick(3, 30, 301), ctx.pick(10, 220, 2231)

    chosen_stations = rng.sample(stations, n_stations)
    for must in (officer_station, officer_b_station):
        if must not in chosen_stations:
            chosen_stations[chosen_stations.index(rng.choice([s for s in chosen_stations if s not in (
                officer_station, officer_b_station)]))] = must
    chosen_ids = {s.pk for s in chosen_stations}
    eligible = [o for o in officers if o.station_id is None or o.station_id in chosen_ids]
    persona_officers = [u.officer for u in (users["officer"], users["officer_b"]) if u.officer_id]
    pool = [o for o in eligible if o not in persona_officers]
    picked = persona_officers + rng.sample(pool, min(len(pool), max(0, n_officers - len(persona_officers))))

    awards: list[Award] = []
    individual_wartime = n_wartime // 2
    for i, officer in enumerate(picked):
        on = day()
        station_id, region_id = placed(officer, on)
        if station_id is not None and station_id not in chosen_ids:
            station_id = None  # moved since: counts as a bureau award on that date
        issuer = issuer_for(region_id)
        wartime = i < individual_wartime
        awards.append(Award(
            officer=officer, level=level(), issuing_region=issuer, awarded_on=on, reason=rng.choice(REASONS),
            wartime=wartime, emergency=rng.choice(EMERGENCIES) if wartime else "", people=1,
            station_id=station_id, region_id=region_id, at_station=station_id is not None,
        ))
    for station in chosen_stations:
        awards.append(Award(
            recipient_station=station, level=rng.choice(levels[2:4] or levels), issuing_region=issuer_for(station.county_id),
            awarded_on=day(), reason=rng.choice(REASONS), station=station, region_id=station.county_id,
        ))
    collective_wartime = n_wartime - individual_wartime
    people_left = wartime_people - individual_wartime
    for k in range(collective_wartime):
        share = people_left // (collective_wartime - k)
        people_left -= share
        station = chosen_stations[k % len(chosen_stations)]
        awards.append(Award(
            recipient_station=station, level=levels[min(3, len(levels) - 1)], issuing_region=issuer_for(station.county_id),
            awarded_on=day(), reason=rng.choice(REASONS), wartime=True, emergency=rng.choice(EMERGENCIES),
            people=max(share, 1), station=station, region_id=station.county_id,
        ))
    Award.objects.bulk_create(awards, batch_size=BATCH)

    # A confirmed meeting batch of the province, and a draft one at the officer's station's county.
    confirmed = AwardBatch.objects.create(
        title=f"{ctx.today.year}年度全省公安派出所表彰大会", issuing_region=province, region=province,
        meeting_date=ctx.today - dt.timedelta(days=30), status=BatchStatus.CONFIRMED,
        created_by=users["province_admin"], confirmed_by=users["province_admin"],
    )
    Award.objects.filter(pk__in=[a.pk for a in awards if a.issuing_region_id == province.pk][:50]).update(batch=confirmed)
    for station, who in ((officer_station, "officer"), (officer_b_station, "officer_b")):
        draft = AwardBatch.objects.create(
            title=f"{station.name}季度表彰", issuing_station=station, region_id=station.county_id,
            meeting_date=ctx.today, created_by=users["province_admin"],
        )
        person = users[who].officer
        if person is not None:
            Award.objects.create(
                officer=person, level=levels[min(3, len(levels) - 1)], issuing_station=station, awarded_on=ctx.today,
                reason=REASONS[0], batch=draft, confirmed=False, station=station, region_id=station.county_id,
                at_station=True,
            )

    # Points for every confirmed activity, and per-event rewards.
    services.points_post_activities(limit=10_000_000)
    heads = list(HouseholdHead.objects.filter(is_active=True).order_by("id"))
    persona_heads = []
    for station in (officer_station, officer_b_station):
        first = next((h for h in heads if h.station_id == station.pk), None)
        if first is not None:
            persona_heads += [first, first]  # one approved, one waiting for the station head
    others = [h for h in heads if h not in persona_heads]
    rewarded = persona_heads + rng.sample(others, min(len(others), ctx.pick(4, 40, 400)))
    rows = []
    for i, head in enumerate(rewarded):
        status = RewardStatus.PROPOSED if i % 2 else RewardStatus.APPROVED
        rows.append(EventReward(
            head=head, station_id=head.station_id, event_date=day(), description=rng.choice(DEEDS),
            points=rng.choice((20, 30, 50)), status=status, proposed_by=users["officer"],
            decided_by=users["station_head"] if status == RewardStatus.APPROVED else None,
            decided_at=timezone.now() if status == RewardStatus.APPROVED else None,
        ))
    EventReward.objects.bulk_create(rows, batch_size=BATCH)
    PointEntry.objects.bulk_create([
        PointEntry(head_id=r.head_id, station_id=r.station_id, event_reward=r, points=r.points,
                   entry_date=r.event_date, note=r.description)
        for r in rows if r.status == RewardStatus.APPROVED
    ], batch_size=BATCH)
