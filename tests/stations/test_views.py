"""The stations pages: every persona can use them, jurisdiction holds (404 outside), the officer
filters work, police strength drills down, lists page by keyset without COUNT(*), Chinese first."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.choices import OfficerKind
from stations.models import Officer, Region, Station, User
from stations.views import OfficerListView, StationListView

pytestmark = pytest.mark.django_db

PERSONAS = [
    "officer", "officer_b", "station_head", "county_staff", "city_staff", "province_admin", "auditor", "api_client_user",
]
PAGES = ["home", "station_list", "officer_list", "police_strength"]
SECTIONS = ["beats:index", "registry:index", "disputes:index", "evaluation:index", "rewards:index"]


def client_for(user: User, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def persona(request: pytest.FixtureRequest, name: str) -> User:
    return request.getfixturevalue(name)


def rows(response: Any) -> list[Any]:
    return list(response.context["object_list"])


def assert_csp_clean(html: str) -> None:
    """The CSP allows only same-origin script files and stylesheets: no inline code or style."""
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        attrs, body = match.groups()
        assert "src=" in attrs or 'type="application/json"' in attrs, f"inline script: {body[:80]}"


# --- Every persona, every page ------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("page", PAGES + SECTIONS)
def test_pages_render_for_each_persona(request: pytest.FixtureRequest, name: str, page: str) -> None:
    user = persona(request, name)
    response = client_for(user).get(reverse(page))
    assert response.status_code == 200
    html = response.content.decode()
    assert_csp_clean(html)
    # The navigation reaches every section and offers sign-out as a POST form.
    for section in SECTIONS:
        assert f'href="{reverse(section)}"' in html
    assert f'href="{reverse("api-docs")}"' in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}"', html)
    assert f'action="{reverse("set_language")}"' in html


@pytest.mark.parametrize("page", PAGES + SECTIONS)
def test_pages_need_sign_in(page: str) -> None:
    response = Client().get(reverse(page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_shows_unit_and_role_links(officer: User, county_staff: User) -> None:
    html = client_for(officer).get(reverse("home")).content.decode()
    assert officer.home_station.name in html
    assert reverse("station_detail", args=[officer.home_station_id]) in html

    html = client_for(county_staff).get(reverse("home")).content.decode()
    assert county_staff.home_region.name in html
    assert f'href="{reverse("police_strength")}"' in html
    assert f'href="{reverse("station_list")}"' in html


def test_login_page_warns_of_monitoring_and_demo() -> None:
    response = Client().get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "在此系统上的操作将被监控和记录" in html
    assert "演示省份" in html  # not production: the demo province is announced
    assert_csp_clean(html)


def test_sign_in_and_out_through_the_pages(officer: User, settings: Any) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "officer", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


# --- Stations: scope, detail ---------------------------------------------------------------------


def test_station_list_is_scoped(officer: User, county_staff: User, province_admin: User) -> None:
    listed = rows(client_for(officer).get(reverse("station_list")))
    assert [s.pk for s in listed] == [officer.home_station_id]

    listed = rows(client_for(county_staff).get(reverse("station_list")))
    assert listed and all(s.county.path.startswith(county_staff.home_region.path) for s in listed)
    assert {s.pk for s in listed} == set(Station.objects.for_user(county_staff).values_list("pk", flat=True))


def test_out_of_scope_station_detail_is_404(officer: User, officer_b: User, city_staff: User) -> None:
    own = officer.home_station
    assert client_for(officer).get(reverse("station_detail", args=[own.pk])).status_code == 200
    assert client_for(city_staff).get(reverse("station_detail", args=[own.pk])).status_code == 200
    response = client_for(officer_b).get(reverse("station_detail", args=[own.pk]))
    assert response.status_code == 404
    assert own.name not in response.content.decode()  # the portal's 404 page tells nothing about it
    assert client_for(officer).get(reverse("station_detail", args=[officer_b.home_station_id])).status_code == 404
    missing = (Station.objects.order_by("-pk").first().pk or 0) + 1000
    assert client_for(officer).get(reverse("station_detail", args=[missing])).status_code == 404


def test_station_detail_shows_the_station_and_its_force(officer: User) -> None:
    station = officer.home_station
    response = client_for(officer).get(reverse("station_detail", args=[station.pk]))
    html = response.content.decode()
    assert station.code in html and station.county.name in html
    police = Officer.objects.filter(station=station, is_active=True, kind=OfficerKind.POLICE).count()
    by_kind = {k["label"]: k for k in response.context["by_kind"]}
    assert by_kind[OfficerKind.POLICE.label]["count"] == police
    # The count links to the officer list filtered the same way, which lists exactly those officers.
    listed = rows(client_for(officer).get(by_kind[OfficerKind.POLICE.label]["url"] + "&is_active=true"))
    assert len(listed) == police
    assert_csp_clean(html)


# --- Officers: filters ---------------------------------------------------------------------------


def test_officer_list_filters(county_staff: User) -> None:
    client = client_for(county_staff)
    url = reverse("officer_list")
    scoped = Officer.objects.for_user(county_staff)
    assert scoped.exists()

    listed = rows(client.get(url, {"kind": OfficerKind.AUXILIARY}))
    assert listed and all(o.kind == OfficerKind.AUXILIARY for o in listed)

    target = scoped.order_by("badge_number").first()
    listed = rows(client.get(url, {"q": target.badge_number}))
    assert target in listed and all(o.badge_number.startswith(target.badge_number) for o in listed)
    listed = rows(client.get(url, {"q": target.name}))
    assert target in listed and all(target.name in o.name for o in listed)

    station = scoped.filter(station__isnull=False).first().station
    listed = rows(client.get(url, {"station": station.pk}))
    assert listed and all(o.station_id == station.pk for o in listed)

    listed = rows(client.get(url, {"in_station": "true"}))
    assert listed and all(o.station_id is not None for o in listed)
    listed = rows(client.get(url, {"in_station": "false"}))  # the county bureau's own officers
    assert listed and all(o.station_id is None for o in listed)

    listed = rows(client.get(url, {"has_terminal": "true"}))
    assert listed and all(o.terminal_number for o in listed)
    listed = rows(client.get(url, {"has_terminal": "false"}))
    assert all(not o.terminal_number for o in listed)


def test_officer_list_refuses_an_out_of_scope_station_filter(officer: User, officer_b: User) -> None:
    response = client_for(officer_b).get(reverse("officer_list"), {"station": officer.home_station_id})
    assert response.status_code == 200
    assert rows(response) == []
    assert response.context["filter"].errors


def test_officer_list_is_scoped(officer: User, officer_b: User) -> None:
    listed = rows(client_for(officer_b).get(reverse("officer_list")))
    assert listed and all(o.station_id == officer_b.home_station_id for o in listed)
    assert not any(o.station_id == officer.home_station_id for o in listed)


# --- Keyset paging: complete, no COUNT(*), bounded queries --------------------------------------


@pytest.mark.parametrize(
    ("view", "page", "model", "key"),
    [(OfficerListView, "officer_list", Officer, "badge_number"), (StationListView, "station_list", Station, "code")],
)
def test_keyset_paging_walks_every_row_without_count(
    province_admin: User, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any,
    view: type, page: str, model: type, key: str,
) -> None:
    monkeypatch.setattr(view, "paginate_by", 2)
    client = client_for(province_admin)
    client.get(reverse(page))  # warm the session
    expected = list(model.objects.for_user(province_admin).order_by(key).values_list("pk", flat=True))
    assert len(expected) > 2
    seen: list[int] = []
    params: dict[str, str] = {}
    for _ in range(len(expected)):
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(10):
            response = client.get(reverse(page), params)
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        seen += [obj.pk for obj in rows(response)]
        cursor = response.context["page_obj"].next_cursor
        if cursor is None:
            break
        assert urlencode({"after": cursor}) in response.content.decode()  # the "next page" link
        params = {"after": cursor}
    assert seen == expected


def test_officer_list_queries_do_not_grow_with_rows(province_admin: User, django_assert_max_num_queries: Any) -> None:
    client = client_for(province_admin)
    client.get(reverse("officer_list"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("officer_list"))
    assert len(rows(response)) > 2


# --- Police strength -----------------------------------------------------------------------------


def _row_for(response: Any, kind: str, pk: int) -> dict[str, Any]:
    for item in response.context["rows"]:
        if item["row"].unit_kind == kind and item["row"].unit_id == pk:
            return item
    raise AssertionError(f"{kind}:{pk} not among {[(i['row'].unit_kind, i['row'].unit_id) for i in response.context['rows']]}")


def test_strength_drills_down_province_to_station(province_admin: User, officer: User) -> None:
    client = client_for(province_admin)
    station = officer.home_station
    chain = list(Region.objects.filter(code__in=station.county.path.strip("/").split("/")).order_by("path"))
    assert chain[0] == province_admin.home_region

    response = client.get(reverse("police_strength"))
    assert response.status_code == 200
    assert response.context["unit"] == chain[0]
    html = response.content.decode()
    assert 'id="strength-data"' in html and "stations/strength.js" in html
    assert_csp_clean(html)
    # Each level's row links one level down; the last hop reaches the station.
    for child in chain[1:]:
        url = _row_for(response, "region", child.pk)["url"]
        assert url and f"unit=region:{child.pk}" in url
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["unit"] == child
        names = [crumb["name"] for crumb in response.context["breadcrumbs"]]
        assert names == [region.name for region in chain[: chain.index(child) + 1]]
    url = _row_for(response, "station", station.pk)["url"]
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["unit"] == station
    assert response.context["breadcrumbs"][-1]["name"] == station.name
    # Chart data carry the same drill-down links as the table.
    chart_rows = response.context["chart"]["rows"]
    assert [r["url"] for r in chart_rows] == [item["url"] for item in response.context["rows"]]


def test_strength_queries_do_not_grow_with_units(province_admin: User, county_staff: User) -> None:
    counts = []
    for user in (province_admin, county_staff):  # 14 cities, or a county's few stations
        client = client_for(user)
        client.get(reverse("police_strength"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("police_strength"))
        assert response.context["rows"]
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 12, counts


def test_strength_shows_last_year_and_change(province_admin: User) -> None:
    response = client_for(province_admin).get(reverse("police_strength"))
    total = response.context["report"].total
    html = response.content.decode()
    assert str(total.police_total) in html
    assert str(total.last_year_police_total) in html


def test_strength_refuses_an_out_of_scope_unit(officer: User, officer_b: User, county_staff: User) -> None:
    station = officer.home_station
    client = client_for(officer_b)
    assert client.get(reverse("police_strength"), {"unit": f"station:{station.pk}"}).status_code == 404
    assert client.get(reverse("police_strength"), {"unit": f"region:{station.county_id}"}).status_code == 404
    province = Region.objects.get(parent__isnull=True)
    client = client_for(county_staff)
    assert client.get(reverse("police_strength"), {"unit": f"region:{province.pk}"}).status_code == 404
    assert client.get(reverse("police_strength"), {"unit": f"station:{station.pk}"}).status_code == 200
    for junk in ("nonsense", "region:", "region:abc", "user:1"):
        assert client.get(reverse("police_strength"), {"unit": junk}).status_code == 404


# --- Language ------------------------------------------------------------------------------------


def test_chinese_by_default_english_switchable(officer: User) -> None:
    client = client_for(officer)
    html = client.get(reverse("station_list")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "派出所工作平台" in html and "退出登录" in html

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("station_list")})
    assert response.status_code == 302 and response["Location"] == reverse("station_list")
    html = client.get(reverse("station_list")).content.decode()
    assert '<html lang="en">' in html
    assert "Police-station portal" in html and "Sign out" in html
    assert "派出所工作平台" not in html
