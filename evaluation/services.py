"""Writes of the evaluation app: periods, scoring runs, appeals, indicator edits, ledger generation."""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import os
import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from evaluation import ledgers as ledger_registry
from evaluation import metrics as metric_registry
from evaluation.models import (
    Appeal,
    AppealStatus,
    GeneratedLedger,
    Indicator,
    LedgerDefinition,
    Period,
    PeriodKind,
    RunStatus,
    Score,
    ScoreRun,
    UnitLevel,
)
from evaluation.scoring import Rule, UnitScore, score_units
from stations.choices import RegionLevel, Role

logger = logging.getLogger(__name__)

# TEST-ONLY: seconds a scoring run sleeps after writing part of its scores, inside its transaction (see
# ``_test_pause_mid_write``). Read from the environment of the process that runs the task; never set it
# in production.
TEST_PAUSE_ENV = "EVALUATION_TEST_PAUSE_MID_WRITE"
# TEST-ONLY, the same for a ledger run: seconds it sleeps after inserting its new ledgers, uncommitted.
LEDGERS_TEST_PAUSE_ENV = "EVALUATION_TEST_PAUSE_LEDGERS"


def is_province_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.PROVINCE_STAFF))


def period_month(*, day: dt.date) -> Period:
    """The month period containing ``day`` (created when missing)."""
    start = day.replace(day=1)
    end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    period, _created = Period.objects.get_or_create(kind=PeriodKind.MONTH, start=start, defaults={"end": end})
    return period


def _units() -> tuple[metric_registry.Units, dict[str, str], dict[str, dict[str, Any]]]:
    from stations.models import Region, Station

    units = metric_registry.Units()
    levels: dict[str, str] = {}
    fields: dict[str, dict[str, Any]] = {}
    for pk, county_id, path in Station.objects.filter(is_active=True).values_list("pk", "county_id", "county__path"):
        units.station_paths[pk] = path
        levels[f"s:{pk}"] = UnitLevel.STATION
        fields[f"s:{pk}"] = {"station_id": pk, "region_id": county_id}
    level_of = {RegionLevel.COUNTY: UnitLevel.COUNTY, RegionLevel.CITY: UnitLevel.CITY}
    for pk, path, level in Region.objects.filter(level__in=list(level_of)).values_list("pk", "path", "level"):
        units.region_paths[pk] = path
        levels[f"r:{pk}"] = level_of[level]
        fields[f"r:{pk}"] = {"station_id": None, "region_id": pk}
    return units, levels, fields


def _rules() -> list[Rule]:
    return [
        Rule(
            code=i.code, name=i.name, metric=i.metric, points=float(i.points), target=i.target, floor=i.floor,
            rule=i.rule, higher_is_better=i.higher_is_better, deductions=tuple(i.deductions),
        )
        for i in Indicator.objects.filter(is_active=True, table__is_active=True).order_by("table", "order", "code")
    ]


def assessment_compute(*, period: Period) -> tuple[dict[str, UnitScore], dict[str, dict[str, Any]]]:
    """Every unit's score for ``period`` computed, nothing written: ``(unit_key → UnitScore, unit_key →
    its station_id / region_id)``. One query per metric plus a few, whatever the number of units."""
    rules = _rules()
    units, levels, fields = _units()
    values = metric_registry.compute([r.metric for r in rules], units, period)
    waived = [
        (a.unit_key, a.indicator_code, a.deduction)
        for a in Appeal.objects.filter(period=period, status=AppealStatus.ACCEPTED)
    ]
    return score_units(rules, values, levels, waived), fields


def _test_pause_mid_write(*, run: ScoreRun, written: int) -> None:
    """TEST-ONLY hook: with ``$EVALUATION_TEST_PAUSE_MID_WRITE`` set (seconds), log and sleep with the run's
    new scores inserted but neither the updates, the run's status nor the transaction committed — so a
    test can kill the worker at that exact point (tests/tasks/test_evaluation_worker.py). Unset, a no-op."""
    seconds = os.environ.get(TEST_PAUSE_ENV)
    if not seconds:
        return
    logger.warning("evaluation test pause: run %s wrote %s scores uncommitted; sleeping %s s", run.pk, written, seconds)
    time.sleep(float(seconds))


def assessment_score(*, period: Period, triggered_by: str = "") -> ScoreRun:
    """Score every station, county and city for ``period``. A fixed number of queries whatever the
    number of units (one per metric). The period's scores are replaced in ONE transaction, so a run
    that dies leaves the previous scores intact; recomputing gives the same rows."""
    run = ScoreRun.objects.create(period=period, started_at=timezone.now(), triggered_by=triggered_by)
    try:
        scores, fields = assessment_compute(period=period)
        now = timezone.now()
        rows = [
            Score(
                period=period, run=run, level=s.level, unit_key=key, total=s.total, max_points=s.max_points,
                rank=s.rank, breakdown=s.breakdown, computed_at=now, **fields[key],
            )
            for key, s in sorted(scores.items())
        ]
        with transaction.atomic():
            # Appeals point at scores: keep the rows (update in place), add new, drop vanished.
            existing = {s.unit_key: s for s in Score.objects.select_for_update().filter(period=period)}
            create, update = [], []
            for row in rows:
                old = existing.pop(row.unit_key, None)
                if old is None:
                    create.append(row)
                else:
                    row.pk = old.pk
                    update.append(row)
            Score.objects.bulk_create(create)
            _test_pause_mid_write(run=run, written=len(create))
            Score.objects.bulk_update(
                update, ["run", "level", "station", "region", "total", "max_points", "rank", "breakdown", "computed_at"]
            )
            if existing:
                Score.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
            run.status, run.units_scored, run.finished_at = RunStatus.DONE, len(rows), timezone.now()
            run.save(update_fields=["status", "units_scored", "finished_at"])
            # Earlier runs of the period still "running" died (a killed worker leaves its run so: its
            # transaction was rolled back, nothing it wrote is visible). A run truly still going marks
            # itself done when it commits.
            ScoreRun.objects.filter(period=period, status=RunStatus.RUNNING, started_at__lt=run.started_at).update(
                status=RunStatus.FAILED, finished_at=run.finished_at, error="interrupted: superseded by a later run"
            )
    except Exception as exc:
        ScoreRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000])
        raise
    return run


def appeal_file(*, user: Any, score: Score, indicator_code: str, deduction: int, reason: str) -> Appeal:
    line = next((ln for ln in score.breakdown if ln["code"] == indicator_code), None)
    if line is None or not any(d["index"] == deduction for d in line["deductions"]):
        raise ValueError("no such deduction")
    appeal = Appeal(
        score=score, period=score.period, unit_key=score.unit_key, indicator_code=indicator_code,
        deduction=deduction, reason=reason, filed_by=user,
    )
    appeal.full_clean()
    appeal.save()
    return appeal


def appeal_decide(*, user: Any, appeal: Appeal, accept: bool, note: str = "") -> Appeal:
    """Province staff accept (the deduction is waived and the period rescored) or reject an appeal."""
    if not is_province_staff(user):
        raise PermissionDenied
    with transaction.atomic():
        appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = user, timezone.now(), note
        appeal.save()
    if accept:
        assessment_score(period=appeal.period, triggered_by=user.get_username())
    return appeal


def indicator_update(*, user: Any, indicator: Indicator, data: dict[str, Any]) -> Indicator:
    if not is_province_staff(user):
        raise PermissionDenied
    for name, value in data.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    return indicator


def ledgers_generate(*, period: Period, station_ids: list[int] | None = None) -> int:
    """Generate every active ledger for every (or the given) station for ``period``: one query per
    generator, then an upsert. Regenerating unchanged data gives the same rows and checksum."""
    from stations.models import Station

    if station_ids is None:
        station_ids = list(Station.objects.filter(is_active=True).values_list("pk", flat=True))
    definitions = list(LedgerDefinition.objects.filter(is_active=True))
    now = timezone.now()
    written = 0
    with transaction.atomic():
        existing = {
            (g.definition_id, g.station_id): g
            for g in GeneratedLedger.objects.filter(period=period, station_id__in=station_ids)
        }
        create, update = [], []
        for definition in definitions:
            fn = ledger_registry.GENERATORS.get(definition.generator)
            by_station = fn(station_ids, period) if fn else {}
            columns = definition.columns or ledger_registry.COLUMNS.get(definition.generator, [])
            for station_id in station_ids:
                rows = [{c: row.get(c) for c in columns} for row in by_station.get(station_id, [])]
                digest = ledger_registry.checksum(columns, rows)
                old = existing.get((definition.pk, station_id))
                if old is None:
                    create.append(GeneratedLedger(
                        definition=definition, period=period, station_id=station_id, columns=columns, rows=rows,
                        checksum=digest, generated_at=now,
                    ))
                elif old.checksum != digest:
                    old.columns, old.rows, old.checksum, old.generated_at = columns, rows, digest, now
                    update.append(old)
                written += 1
        GeneratedLedger.objects.bulk_create(create)
        if seconds := os.environ.get(LEDGERS_TEST_PAUSE_ENV):  # TEST-ONLY (tests/tasks/test_job_faults.py)
            logger.warning("evaluation test pause: ledgers wrote %s uncommitted; sleeping %s s", len(create), seconds)
            time.sleep(float(seconds))
        GeneratedLedger.objects.bulk_update(update, ["columns", "rows", "checksum", "generated_at"])
    return written
