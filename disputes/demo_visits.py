"""Door-to-door visits of the demo province (called from ``disputes.demo.build``).

The visits agree with the registry the registry demo made, rather than rewriting it: every household
whose residents were verified in the past year gets a registry visit on the day of the latest
verification, confirming the residents verified that day (so the freshness rate and the visits tell
one story); besides, about a third of the households get a publicity, dispute-screening,
epidemic-control or key-person visit on some day of the year. Households whose residents were not
verified in the year and drew no other visit stay never visited — the coverage page's work list.

``tiny`` keeps a handful per station (``officer_station`` and ``officer_b_station`` included); the
other scales visit every household at that rate. Written with ``bulk_create``, audited as one load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pgtrigger
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.demo import DemoContext
from disputes.choices import VisitFinding, VisitPurpose

BATCH = 5000
TINY_PER_STATION = 6
OTHER_VISIT_SHARE = 0.35
OTHER_PURPOSES = (
    (VisitPurpose.DISPUTE_SCREENING, 35),
    (VisitPurpose.PUBLICITY, 30),
    (VisitPurpose.KEY_PERSON, 20),
    (VisitPurpose.EPIDEMIC, 15),
)
MET = ("户主", "户主及家人", "租户", "房东", "家中老人")
NOTES = {
    VisitPurpose.REGISTRY: "核对实有人口信息，无变化。",
    VisitPurpose.DISPUTE_SCREENING: "排查矛盾纠纷，未发现异常。",
    VisitPurpose.PUBLICITY: "宣传防范电信网络诈骗知识，发放资料。",
    VisitPurpose.KEY_PERSON: "走访了解重点人员近况，情况稳定。",
    VisitPurpose.EPIDEMIC: "了解家庭成员健康与出行情况。",
}


def build_visits(ctx: DemoContext) -> None:
    from beats.models import Beat
    from disputes.models import Visit, VisitPerson
    from registry.models import Residence
    from stations.models import Officer

    rng = ctx.rng("disputes:visits")
    today = ctx.today
    year_ago = today - dt.timedelta(days=365)
    tz = timezone.get_default_timezone()
    stations = [s for s in ctx.data["stations"] if s.is_active]
    station_ids = [s.pk for s in stations]
    showcase = {ctx.data["officer_station"].pk, ctx.data["officer_b_station"].pk}

    officers: dict[int, list[int]] = defaultdict(list)
    for officer_id, station_id in Officer.objects.filter(
        station_id__in=station_ids, is_active=True
    ).values_list("pk", "station_id"):
        officers[station_id].append(officer_id)
    beat_officer = dict(
        Beat.objects.filter(station_id__in=station_ids, officer__isnull=False).values_list("pk", "officer_id")
    )
    station_user: dict[int, Any] = {}
    for user in ctx.data.get("users", {}).values():
        if user.home_station_id and (user.home_station_id not in station_user or user.officer_id):
            station_user[user.home_station_id] = user

    # Households: houses with an open residence, and when their residents were last verified.
    houses: dict[int, dict[str, Any]] = {}
    rows = (
        Residence.objects.filter(
            house__station_id__in=station_ids, house__deleted=False, person__deleted=False, start__lte=today
        )
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .order_by("house_id", "person_id")
        .values_list(
            "house_id", "house__station_id", "house__address__beat_id", "person_id", "person__verified_at"
        )
    )
    for house_id, station_id, beat_id, person_id, verified_at in rows.iterator(chunk_size=BATCH):
        house = houses.setdefault(
            house_id, {"station": station_id, "beat": beat_id, "verified": defaultdict(list)}
        )
        if verified_at is not None:
            day = timezone.localtime(verified_at, tz).date()
            if year_ago <= day <= today:
                house["verified"][day].append(person_id)

    by_station: dict[int, list[int]] = defaultdict(list)
    for house_id, house in houses.items():
        by_station[house["station"]].append(house_id)

    visits: list[Visit] = []
    findings: list[tuple[int, list[int]]] = []  # (index in visits, confirmed person ids)
    for station_id in station_ids:
        candidates = by_station.get(station_id, [])
        if not officers[station_id] or not candidates:
            continue
        if ctx.scale == "tiny":
            limit = TINY_PER_STATION if station_id in showcase else 2
            # Leave some households unvisited: visit at most two thirds of them.
            candidates = rng.sample(candidates, min(limit, len(candidates) * 2 // 3 or 1))
        for house_id in candidates:
            house = houses[house_id]
            officer_id = beat_officer.get(house["beat"]) or rng.choice(officers[station_id])
            if officer_id not in officers[station_id]:
                officer_id = rng.choice(officers[station_id])
            common = {
                "station_id": station_id,
                "beat_id": house["beat"],
                "officer_id": officer_id,
                "house_id": house_id,
                "recorded_by": station_user.get(station_id),
                "met": rng.choice(MET),
            }
            if house["verified"]:
                day = max(house["verified"])
                findings.append((len(visits), house["verified"][day]))
                visits.append(
                    Visit(
                        visited_on=day,
                        purpose=VisitPurpose.REGISTRY,
                        notes=NOTES[VisitPurpose.REGISTRY],
                        **common,
                    )
                )
            if rng.random() < OTHER_VISIT_SHARE or (ctx.scale == "tiny" and not house["verified"]):
                purpose = _weighted(rng, OTHER_PURPOSES)
                day = today - dt.timedelta(days=rng.randint(0, 364))
                visits.append(Visit(visited_on=day, purpose=purpose, notes=NOTES[purpose], **common))

    quiet = [f"{model._meta.label}:insert_insert" for model in (Visit, VisitPerson)]
    with transaction.atomic(), pgtrigger.ignore(*quiet):
        visits = Visit.objects.bulk_create(visits, batch_size=BATCH)
        VisitPerson.objects.bulk_create(
            (
                VisitPerson(visit=visits[index], person_id=person_id, finding=VisitFinding.CONFIRMED)
                for index, person_ids in findings
                for person_id in person_ids
            ),
            batch_size=BATCH,
        )
    ctx.data["visits"] = len(visits)


def _weighted(rng: Any, odds: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in odds], weights=[weight for _, weight in odds])[0]
