"""Demo data of the registry's operations, built after ``registry/demo.py`` has made the records:
this week's inspection plans, a few weeks of inspections of the key venues, and the quality rates
computed over everything so the quality pages mean something.

``registry/demo.py`` calls ``build(ctx)`` at its end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.demo import DemoContext
from registry.choices import KEY_TRADES
from registry.inspections import (
    inspection_partitions_ensure,
    inspection_plans_draw,
    month_start,
    week_start,
)
from registry.quality import quality_recompute

WEEKS_OF_HISTORY = 5
FINDINGS = (
    "",
    "",
    "",
    "Fire exits blocked",
    "Guest register incomplete",
    "Minors admitted without ID check",
    "",
)


def build(ctx: DemoContext) -> None:
    from registry.models import Inspection, Unit
    from stations.models import Officer

    rng = ctx.rng("registry-ops")
    tz = ZoneInfo(settings.TIME_ZONE)
    today = ctx.today
    monday = week_start(today)
    first = monday - dt.timedelta(weeks=WEEKS_OF_HISTORY)
    months_back = (month_start(today).year - first.year) * 12 + month_start(today).month - first.month
    inspection_partitions_ensure(today=today, months_back=months_back, months_ahead=3)

    officers: dict[int, list[int]] = defaultdict(list)
    for station_id, officer_id in Officer.objects.filter(station__isnull=False, is_active=True).values_list(
        "station_id", "id"
    ):
        officers[station_id].append(officer_id)
    venues = list(
        Unit.objects.filter(kind__in=[k.value for k in KEY_TRADES], deleted=False).values_list(
            "id", "station_id"
        )
    )
    rows = []
    for venue_id, station_id in venues:
        staff = officers.get(station_id) or []
        for week in range(WEEKS_OF_HISTORY + 1):
            if rng.random() < 0.3:  # most venues are visited about every third week
                continue
            day = first + dt.timedelta(weeks=week, days=rng.randrange(7))
            at = dt.datetime.combine(day, dt.time(rng.randrange(8, 23), rng.randrange(60)), tzinfo=tz)
            if at > timezone.now():
                continue
            finding = rng.choice(FINDINGS)
            rows.append(
                Inspection(
                    venue_id=venue_id,
                    station_id=station_id,
                    inspected_at=at,
                    officer_ids=sorted(rng.sample(staff, min(2, len(staff)))),
                    unannounced=rng.random() < 0.8,
                    findings=finding,
                    rectification="限期七日内整改" if finding else "",
                    deadline=day + dt.timedelta(days=7) if finding else None,
                    rectified_on=day + dt.timedelta(days=rng.randrange(2, 9))
                    if finding and rng.random() < 0.6
                    else None,
                )
            )
    with transaction.atomic():
        Inspection.objects.bulk_create(rows, batch_size=5000)
    inspection_plans_draw(week=monday, today=today)
    _past_import(ctx)
    quality_recompute(day=today)


def _past_import(ctx: DemoContext) -> None:
    """One finished persons import at the persona station, one row of it rejected, so the imports page,
    its bad-row report and the imports API have history to show."""
    import hashlib

    from django.core.files.base import ContentFile

    from registry.choices import ImportStatus, RecordKind
    from registry.models import ImportJob, ImportRowError

    if "officer_station" not in ctx.data:  # the registry demo run on its own, without the personas
        return
    station, user = ctx.data["officer_station"], ctx.data["users"]["station_head"]
    content = "national_id,name,gender\n,王五,M\n".encode()
    finished = timezone.now() - dt.timedelta(days=3)
    job = ImportJob(
        kind=RecordKind.PERSONS,
        status=ImportStatus.DONE,
        file_name="persons-demo.csv",
        sha256=hashlib.sha256(content).hexdigest(),
        rows_total=1,
        rows_done=1,
        rows_bad=1,
        created_by=user,
        station=station,
        started_at=finished - dt.timedelta(seconds=4),
        finished_at=finished,
        heartbeat_at=finished,
    )
    job.file.save("persons-demo.csv", ContentFile(content), save=False)
    job.save()
    ImportRowError.objects.create(job=job, line=2, column="national_id", reason="This field is required.")
