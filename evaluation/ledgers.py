"""Ledger generators: ``@ledger("key")`` registers ``fn(station_ids, period) -> {station_id: rows}``,
ONE query for all stations. Rows are lists of dicts keyed by column; the ledger's definition chooses
which columns are shown. Generators whose source app is not wired yet return ``{}`` (empty ledger)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

GENERATORS: dict[str, Callable[..., dict[int, list[dict[str, Any]]]]] = {}
COLUMNS: dict[str, list[str]] = {}


def ledger(key: str, columns: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        GENERATORS[key] = fn
        COLUMNS[key] = columns
        return fn

    return register


def checksum(columns: list[str], rows: list[dict[str, Any]]) -> str:
    payload = json.dumps({"columns": columns, "rows": rows}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def to_xlsx(*, title: str, columns: list[str], labels: dict[str, str], rows: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([title])
    sheet.append([labels.get(c, c) for c in columns])
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


COLUMN_LABELS = {
    "badge_number": "警号", "name": "姓名", "kind": "类别", "start": "到岗日期",
    "officer": "民警", "days_checked": "打卡天数", "days_required": "应打卡天数", "met": "是否达标",
    "record_kind": "数据类别", "total": "记录数", "complete": "完整", "accurate": "准确", "fresh": "鲜活",
}


@ledger("police_strength", ["badge_number", "name", "kind", "start"])
def police_strength(station_ids: Iterable[int], period: Any) -> dict[int, list[dict[str, Any]]]:
    """The station's officers on the period's last day (from the posting history)."""
    from stations.models import Posting

    on = period.end
    out: dict[int, list[dict[str, Any]]] = {}
    rows = (
        Posting.objects.filter(station_id__in=list(station_ids), start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .values("station_id", "officer__badge_number", "officer__name", "officer__kind", "start")
        .order_by("station_id", "officer__badge_number")
    )
    for row in rows:
        out.setdefault(row["station_id"], []).append({
            "badge_number": row["officer__badge_number"], "name": row["officer__name"],
            "kind": row["officer__kind"], "start": row["start"].isoformat(),
        })
    return out


@ledger("checkins", ["badge_number", "officer", "days_checked", "days_required", "met"])
def checkins(station_ids: Iterable[int], period: Any) -> dict[int, list[dict[str, Any]]]:
    """Community officers' check-in days in the period (beats' monthly compliance)."""
    from beats.models import MonthlyCompliance

    out: dict[int, list[dict[str, Any]]] = {}
    rows = (
        MonthlyCompliance.objects.filter(station_id__in=list(station_ids), month__gte=period.start, month__lte=period.end)
        .values("station_id", "officer__badge_number", "officer__name", "days_checked", "days_required", "met")
        .order_by("station_id", "officer__badge_number", "month")
    )
    for row in rows:
        out.setdefault(row["station_id"], []).append({
            "badge_number": row["officer__badge_number"], "officer": row["officer__name"],
            "days_checked": row["days_checked"], "days_required": row["days_required"], "met": row["met"],
        })
    return out


@ledger("registry_quality", ["record_kind", "total", "complete", "accurate", "fresh"])
def registry_quality(station_ids: Iterable[int], period: Any) -> dict[int, list[dict[str, Any]]]:
    """The station's registry quality by record kind (latest rates up to the period's end)."""
    from registry.models import QualityRate

    out: dict[int, list[dict[str, Any]]] = {}
    rows = (
        QualityRate.objects.filter(station_id__in=list(station_ids), day__lte=period.end)
        .order_by("station_id", "kind", "-day")
        .distinct("station_id", "kind")
        .values("station_id", "kind", "total", "complete", "accurate", "fresh")
    )
    for row in rows:
        out.setdefault(row["station_id"], []).append({
            "record_kind": row["kind"], "total": row["total"], "complete": row["complete"],
            "accurate": row["accurate"], "fresh": row["fresh"],
        })
    return out


def _pending(station_ids: Iterable[int], period: Any) -> dict[int, list[dict[str, Any]]]:
    return {}


PENDING_GENERATORS = (
    "population_flow", "key_venue_inspections", "disputes", "household_heads", "visits",
    "sentiment", "mass_prevention", "training", "awards", "eight_nos", "rooms", "registry_units",
)
for _key in PENDING_GENERATORS:
    ledger(_key, ["name"])(_pending)
