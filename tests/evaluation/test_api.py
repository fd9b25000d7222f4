"""/api/v1/assessments/ and /api/v1/ledgers/: the contract fields, read-only, jurisdiction."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from evaluation.models import GeneratedLedger, Score

pytestmark = pytest.mark.django_db


def test_assessment_contract_and_scope(api, officer, county_staff, demo_period) -> None:  # type: ignore[no-untyped-def]
    response = api(officer).get("/api/v1/assessments/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and {r["unit"]["id"] for r in results} == {officer.home_station_id}
    row = results[0]
    assert {"unit", "period", "score", "breakdown"} <= set(row)
    assert row["breakdown"][0]["name"]
    county_rows = api(county_staff).get("/api/v1/assessments/", {"page_size": 1000}).json()["results"]
    assert officer.home_station_id in {r["unit"]["id"] for r in county_rows if r["unit"]["kind"] == "station"}


def test_officer_b_gets_404_on_officers_assessment_and_ledger(api, officer, officer_b, demo_period) -> None:  # type: ignore[no-untyped-def]
    score = Score.objects.get(period=demo_period, station=officer.home_station)
    ledger = GeneratedLedger.objects.filter(station=officer.home_station).first()
    client = api(officer_b)
    assert client.get(f"/api/v1/assessments/{score.pk}/").status_code == 404
    assert client.get(f"/api/v1/ledgers/{ledger.pk}/").status_code == 404
    assert client.get(f"/api/v1/ledgers/{ledger.pk}/xlsx/").status_code == 404
    assert ledger.pk not in {r["id"] for r in client.get("/api/v1/ledgers/").json()["results"]}
    assert api(None).get("/api/v1/assessments/").status_code in (401, 403)


def test_ledgers_are_read_only_and_download_as_xlsx(api, officer) -> None:  # type: ignore[no-untyped-def]
    ledger = GeneratedLedger.objects.filter(station=officer.home_station, definition__code="police-strength-report").get()
    client = api(officer)
    listed = client.get("/api/v1/ledgers/", {"code": "police-strength-report"}).json()["results"]
    assert [r["id"] for r in listed] == [ledger.pk]
    assert listed[0]["rows"] == ledger.rows
    response = client.get(f"/api/v1/ledgers/{ledger.pk}/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "警号"
    assert client.delete(f"/api/v1/ledgers/{ledger.pk}/").status_code in (403, 405)
    assert client.post("/api/v1/assessments/", {}).status_code in (403, 405)
