"""Jurisdiction conformance: every API list and detail route, found by walking the URL resolver (so
routes added later are covered without editing this file), proves that ``officer_b`` — a station
officer in another county — gets 404 for ``officer``'s objects and never sees them in a list, and that
writes to them are refused as 404 too.

For this to mean something, every scoped model exposed by the API must have at least one object in
``officer``'s jurisdiction in the tiny demo; the test fails when one has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.viewsets import GenericViewSet

from stations.jurisdiction import jurisdiction_of, scope

API_PREFIX = "api/v1/"
SAMPLE = 3  # objects per model checked on detail routes


@dataclass(frozen=True)
class Route:
    name: str
    viewset: type[GenericViewSet]
    actions: dict[str, str]
    kwargs: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, route)
        else:
            found.append((route, pattern))
    return found


def api_routes() -> list[Route]:
    routes = []
    for path, pattern in _walk(get_resolver().url_patterns):
        cls = getattr(pattern.callback, "cls", None)
        actions = getattr(pattern.callback, "actions", None)
        if not path.startswith(API_PREFIX) or cls is None or not actions or not issubclass(cls, GenericViewSet):
            continue
        if ".(?P<format>" in path or "\\.(?P<format>" in path or "<format>" in path:
            continue
        routes.append(Route(pattern.name, cls, dict(actions), tuple(pattern.pattern.regex.groupindex)))
    return routes


ROUTES = api_routes()
LIST_ROUTES = [r for r in ROUTES if r.actions.get("get") == "list"]
DETAIL_ROUTES = [r for r in ROUTES if r.actions.get("get") == "retrieve"]


def _model(route: Route) -> Any:
    queryset = getattr(route.viewset, "queryset", None)
    assert queryset is not None, f"{route.viewset.__name__} must set `queryset` so its model can be checked"
    return queryset.model


def _officers_objects(route: Route, officer: Any) -> list[Any]:
    """A few objects ``officer`` reaches through the route's own queryset (with its default filters)."""
    model = _model(route)
    jurisdiction_of(model)  # every API model declares its place in the org tree
    request = APIRequestFactory().get("/")
    force_authenticate(request, user=officer)
    view = route.viewset(action="list", action_map={"get": "list"}, kwargs={}, format_kwarg=None)
    view.request = view.initialize_request(request)
    view.request.user = officer
    queryset = view.get_queryset()
    assert set(scope(model._default_manager.all(), officer).values_list("pk", flat=True)) >= set(
        queryset.values_list("pk", flat=True)
    ), f"{route.viewset.__name__} returns objects outside officer's jurisdiction"
    objects = list(queryset.order_by("pk")[:SAMPLE])
    assert objects, (
        f"the tiny demo has no {model.__name__} in officer's jurisdiction: add one at ctx.data['officer_station'] "
        "so this route's scoping is proven"
    )
    return objects


def _detail_url(route: Route, obj: Any) -> str:
    lookup_field = getattr(route.viewset, "lookup_field", "pk")
    lookup_kwarg = getattr(route.viewset, "lookup_url_kwarg", None) or lookup_field
    return reverse(route.name, kwargs={lookup_kwarg: getattr(obj, lookup_field)})


def _all_ids(client: Any, url: str) -> set[Any]:
    ids: set[Any] = set()
    next_url: str | None = url
    pages = 0
    while next_url and pages < 50:
        response = client.get(next_url, {"page_size": 1000} if next_url == url else None)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        results = body["results"] if isinstance(body, dict) and "results" in body else body
        ids |= {row.get("id") for row in results if isinstance(row, dict)}
        next_url = body.get("next") if isinstance(body, dict) else None
        pages += 1
    return ids


def test_the_walk_finds_the_foundation_routes() -> None:
    names = {r.name for r in ROUTES}
    assert {"region-list", "station-list", "officer-list", "station-detail", "officer-detail"} <= names


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=lambda r: r.name)
def test_detail_outside_jurisdiction_is_404(route: Route, api, officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    own, other = api(officer), api(officer_b)
    for obj in _officers_objects(route, officer):
        url = _detail_url(route, obj)
        assert own.get(url).status_code == 200, f"officer cannot read their own {url}"
        assert other.get(url).status_code == 404, f"officer_b reached {url}"


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.name)
def test_list_never_shows_objects_outside_jurisdiction(route: Route, api, officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    url = reverse(route.name)
    # ``id`` is what rows carry; a partitioned table's pk is ``(id, partition key)``.
    mine = {getattr(obj, "id", obj.pk) for obj in _officers_objects(route, officer)}
    assert mine <= _all_ids(api(officer), url), f"officer does not see their own objects at {url}"
    assert not mine & _all_ids(api(officer_b), url), f"officer_b sees officer's objects at {url}"


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.name)
def test_list_needs_credentials(route: Route, api) -> None:  # type: ignore[no-untyped-def]
    assert api(None).get(reverse(route.name)).status_code == 401


WRITE_ROUTES = [r for r in DETAIL_ROUTES if {"patch", "delete"} & set(r.actions)]


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=lambda r: r.name)
def test_writes_outside_jurisdiction_are_404_and_change_nothing(route: Route, api, officer, officer_b) -> None:  # type: ignore[no-untyped-def]
    other = api(officer_b)
    model = _model(route)
    for obj in _officers_objects(route, officer):
        url = _detail_url(route, obj)
        before = model._default_manager.filter(pk=obj.pk).values().first()
        if "patch" in route.actions:
            assert other.patch(url, {}, format="json").status_code == 404
        if "delete" in route.actions:
            assert other.delete(url).status_code == 404
        assert model._default_manager.filter(pk=obj.pk).values().first() == before
