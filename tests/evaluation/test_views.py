"""Pages: ranking, why-we-lost-points, ledgers and XLSX, inventory, dashboard, editor; jurisdiction."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.models import GeneratedLedger, Indicator, Score

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def own_score(user, period) -> Score:  # type: ignore[no-untyped-def]
    return Score.objects.get(period=period, station=user.home_station)


def own_ledger(user) -> GeneratedLedger:  # type: ignore[no-untyped-def]
    return GeneratedLedger.objects.filter(station=user.home_station, definition__code="police-strength-report").first()


def test_station_sees_why_it_lost_points(officer, demo_period) -> None:  # type: ignore[no-untyped-def]
    score = own_score(officer, demo_period)
    response = client_for(officer).get(reverse("evaluation:score", args=[score.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for line in score.breakdown:
        assert line["name"] in body
    ranking = client_for(officer).get(reverse("evaluation:index"))
    assert ranking.status_code == 200 and score.unit_name in ranking.content.decode()


def test_officer_b_gets_404_on_officers_score_and_ledgers(officer, officer_b, demo_period) -> None:  # type: ignore[no-untyped-def]
    score, ledger = own_score(officer, demo_period), own_ledger(officer)
    assert ledger is not None
    client = client_for(officer_b)
    for url in (reverse("evaluation:score", args=[score.pk]), reverse("evaluation:ledger", args=[ledger.pk]),
                reverse("evaluation:ledger_xlsx", args=[ledger.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("evaluation:appeal_create", args=[score.pk]), {"reason": "x"}).status_code == 404
    ranking = client.get(reverse("evaluation:index")).content.decode()
    assert score.unit_name not in ranking


def test_ledger_page_and_xlsx_download(officer) -> None:  # type: ignore[no-untyped-def]
    ledger = own_ledger(officer)
    client = client_for(officer)
    assert client.get(reverse("evaluation:ledgers")).status_code == 200
    assert client.get(reverse("evaluation:ledger", args=[ledger.pk])).status_code == 200
    response = client.get(reverse("evaluation:ledger_xlsx", args=[ledger.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("警力配置统计表")
    assert sheet.max_row == 2 + len(ledger.rows)


def test_inventory_shows_the_97_forms(officer) -> None:  # type: ignore[no-untyped-def]
    response = client_for(officer).get(reverse("evaluation:inventory"))
    assert response.status_code == 200
    assert response.context["n_forms"] == 97
    assert (response.context["n_categories"], response.context["n_kinds"]) == (8, 58)
    assert sum(n for _label, n in response.context["fates"]) == 97


@pytest.mark.parametrize("persona", ["province_admin", "city_staff", "county_staff", "officer"])
def test_dashboard_renders_with_bounded_queries(persona, request, django_assert_max_num_queries, demo_period) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(persona)
    client = client_for(user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("evaluation:dashboard"))
    assert response.status_code == 200
    assert "evaluation-dashboard-data" in response.content.decode()


def test_dashboard_drills_down_and_refuses_outside_units(province_admin, officer, officer_b, django_assert_max_num_queries, demo_period) -> None:  # type: ignore[no-untyped-def]
    county = officer.home_station.county
    client = client_for(province_admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("evaluation:dashboard"), {"unit": f"r:{county.pk}"})
    assert response.status_code == 200
    assert officer.home_station.name in response.content.decode()
    assert client.get(reverse("evaluation:dashboard"), {"unit": f"s:{officer.home_station_id}"}).status_code == 200
    outside = client_for(officer_b).get(reverse("evaluation:dashboard"), {"unit": f"s:{officer.home_station_id}"})
    assert outside.status_code == 404


def test_indicator_editor_is_province_only(province_admin, county_staff) -> None:  # type: ignore[no-untyped-def]
    indicator = Indicator.objects.get(code="registry-completeness")
    url = reverse("evaluation:indicator_edit", args=[indicator.pk])
    assert client_for(county_staff).get(url).status_code == 403
    client = client_for(province_admin)
    assert client.get(reverse("evaluation:indicators")).status_code == 200
    data = {"name": indicator.name, "section": indicator.section, "points": "12", "metric": indicator.metric,
            "rule": indicator.rule, "target": "0.97", "floor": "0.8", "higher_is_better": "on",
            "deductions": '[{"kind": "bottom_n", "n": 3, "points": 1}]', "order": "0", "is_active": "on"}
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.points, indicator.target, indicator.deductions[0]["n"]) == (12, 0.97, 3)
    bad = client.post(url, {**data, "deductions": '[{"kind": "bottom_n", "n": 0, "points": 1}]'})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_task_history_lists_runs(officer) -> None:  # type: ignore[no-untyped-def]
    response = client_for(officer).get(reverse("evaluation:runs"))
    assert response.status_code == 200
    assert "demo" in response.content.decode()
