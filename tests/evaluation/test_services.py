"""The scoring run and ledger generation against the database."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from evaluation import services
from evaluation.ledgers import GENERATORS, to_xlsx
from evaluation.models import (
    Appeal,
    AppealStatus,
    AssessmentTable,
    GeneratedLedger,
    Indicator,
    LedgerDefinition,
    LegacyForm,
    RunStatus,
    Score,
    ScoreRun,
)
from stations.models import Station
from tests.evaluation.conftest import make_station

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 10, 15)


def test_seed_template_and_catalogue() -> None:
    table = AssessmentTable.objects.get(code="base-work")
    indicators = list(table.indicators.all())
    assert sum(i.points for i in indicators) == Decimal(200) == table.total_points
    community = sum(i.points for i in indicators if i.section == "社区警务与基础信息")
    assert community == 50  # 25 % of the base-work table
    ledgers = LedgerDefinition.objects.filter(category__group="ledger")
    reports = LedgerDefinition.objects.filter(category__group="report")
    assert ledgers.values("category").distinct().count() == 5
    assert reports.count() == 14 and reports.values("category").distinct().count() == 4
    forms = list(LegacyForm.objects.all())
    assert len(forms) == 97
    assert len({f.category for f in forms}) == 8 and len({f.kind for f in forms}) == 58


def _snapshot(period):  # type: ignore[no-untyped-def]
    return sorted(Score.objects.filter(period=period).values_list("pk", "unit_key", "total", "rank", "breakdown"))


def test_recompute_is_idempotent(officer) -> None:  # type: ignore[no-untyped-def]
    period = services.period_month(day=MONTH)
    runs_before = ScoreRun.objects.filter(period=period, status=RunStatus.DONE).count()
    services.assessment_score(period=period)
    first = _snapshot(period)
    services.assessment_score(period=period)
    assert _snapshot(period) == first
    assert Score.objects.filter(period=period, station=officer.home_station).count() == 1
    assert ScoreRun.objects.filter(period=period, status=RunStatus.DONE).count() == runs_before + 2


def test_interrupted_run_leaves_previous_scores_intact(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    period = services.period_month(day=MONTH)
    services.assessment_score(period=period)
    before = _snapshot(period)
    Indicator.objects.filter(metric="police_share").update(points=5)  # the next run would change totals
    manager = Score.objects
    real_update = manager.bulk_update

    def die_half_way(objs, fields, **kwargs):  # type: ignore[no-untyped-def]
        real_update(objs[: len(objs) // 2], fields, **kwargs)  # half the rows written ...
        raise RuntimeError("worker killed")  # ... then the worker dies

    monkeypatch.setattr(manager, "bulk_update", die_half_way)
    with pytest.raises(RuntimeError):
        services.assessment_score(period=period)
    monkeypatch.undo()
    assert _snapshot(period) == before
    assert ScoreRun.objects.filter(period=period).latest("started_at").status == RunStatus.FAILED
    services.assessment_score(period=period)
    assert _snapshot(period) != before


def _queries_of_a_run(period) -> int:  # type: ignore[no-untyped-def]
    services.assessment_score(period=period)  # warm: every unit has its row, the next run updates
    with CaptureQueriesContext(connection) as ctx:
        services.assessment_score(period=period)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_stations(officer) -> None:  # type: ignore[no-untyped-def]
    county = officer.home_station.county
    Station.objects.update(is_active=False)
    for _ in range(3):
        make_station(county, police=1)
    period = services.period_month(day=MONTH)
    three = _queries_of_a_run(period)
    assert Score.objects.filter(period=period, level="station").count() == 3
    for _ in range(27):
        make_station(county, police=1, auxiliary=1)
    thirty = _queries_of_a_run(period)
    assert Score.objects.filter(period=period, level="station").count() == 30
    assert thirty == three


def test_police_share_is_scored_from_postings(officer) -> None:  # type: ignore[no-untyped-def]
    station = make_station(officer.home_station.county, police=2, auxiliary=3)
    period = services.period_month(day=MONTH)
    services.assessment_score(period=period)
    line = next(ln for ln in Score.objects.get(period=period, station=station).breakdown if ln["metric"] == "police_share")
    assert line["value"] == 1.0  # all its police are in the station; auxiliaries do not count
    assert line["points"] == 40


def test_accepted_appeal_waives_the_deduction_and_recomputes(officer, province_admin) -> None:  # type: ignore[no-untyped-def]
    station = make_station(officer.home_station.county, police=1)
    Indicator.objects.filter(code="police-share").update(
        deductions=[{"kind": "below", "threshold": 2.0, "points": 3, "levels": ["station"]}]
    )
    period = services.period_month(day=MONTH)
    services.assessment_score(period=period)
    score = Score.objects.get(period=period, station=station)
    line = next(ln for ln in score.breakdown if ln["code"] == "police-share")
    assert line["net"] == 37.0
    total_before = score.total
    appeal = services.appeal_file(user=officer, score=score, indicator_code="police-share", deduction=0,
                                  reason="新所开办")
    services.appeal_decide(user=province_admin, appeal=appeal, accept=True)
    score.refresh_from_db()
    assert score.total == total_before + 3
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ACCEPTED
    line = next(ln for ln in score.breakdown if ln["code"] == "police-share")
    assert line["deductions"][0]["waived"] is True


def test_police_strength_generator_on_hand_made_data(officer) -> None:  # type: ignore[no-untyped-def]
    period = services.period_month(day=MONTH)
    station = make_station(officer.home_station.county, police=2, auxiliary=1)
    later = make_station(officer.home_station.county, police=4, start=dt.date(2026, 11, 5))  # after the month
    rows = GENERATORS["police_strength"]([station.pk, later.pk], period)
    assert len(rows[station.pk]) == 3
    assert sorted(r["kind"] for r in rows[station.pk]) == ["auxiliary", "police", "police"]
    assert later.pk not in rows


def test_ledgers_regenerate_to_the_same_result_and_xlsx_opens(officer) -> None:  # type: ignore[no-untyped-def]
    period = services.period_month(day=MONTH)
    station = make_station(officer.home_station.county, police=2)
    n = services.ledgers_generate(period=period, station_ids=[station.pk])
    assert n == LedgerDefinition.objects.filter(is_active=True).count()
    ledger = GeneratedLedger.objects.get(
        station=station, period=period, definition__code="police-strength-report"
    )
    first = (ledger.checksum, ledger.generated_at)
    services.ledgers_generate(period=period, station_ids=[station.pk])
    ledger.refresh_from_db()
    assert (ledger.checksum, ledger.generated_at) == first
    assert GeneratedLedger.objects.filter(station=station, period=period).count() == n
    body = to_xlsx(title="警力配置统计表", columns=ledger.columns, labels={"badge_number": "警号"}, rows=ledger.rows)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet["A1"].value == "警力配置统计表"
    assert sheet["A2"].value == "警号"
    assert sorted([sheet["A3"].value, sheet["A4"].value]) == sorted(r["badge_number"] for r in ledger.rows)
    assert sheet.max_row == 4
