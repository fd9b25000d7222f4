"""The API keeps its OpenAPI contract: schemathesis drives every operation of ``/api/v1/schema/``.

One test per operation, listed when the tests are collected from the schema drf-spectacular builds, so
operations other apps add later are tested without editing this file. The schema the cases are
generated from is the one ``GET /api/v1/schema/`` serves. Requests go through Django's real WSGI
handler on the test's transaction (nothing they write outlives the test), authenticated as persona
``officer`` with a knox token from ``POST /api/v1/auth/token/``.

Schemathesis' own pytest loaders are not used: its lazy ``from_fixture`` breaks on pytest 9 (it writes
``Node._nodeid``), and loading at import time would need the database and the throttle counters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stations import services
from stations.models import User
from tests.api.conftest import InTestWSGIHandler, obtain_token
from tests.live import unique_cache_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 15
# Endpoints that end the token they are called with get a token of their own for each call.
TOKEN_ENDING = re.compile(r"^/api/v1/auth/logout")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "positive",
            "deterministic": True,
            "max-examples": MAX_EXAMPLES,
            "database": "none",
        }
    }
)


def _operations() -> list[tuple[str, str]]:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    ]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(django_db_blocker: object) -> Iterator[schemathesis.BaseSchema]:
    """The OpenAPI document ``GET /api/v1/schema/`` serves, loaded once for the module."""
    app = InTestWSGIHandler()
    with unique_cache_settings(), django_db_blocker.unblock():  # type: ignore[attr-defined]
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", app, config=CONFIG)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_keeps_the_contract(
    method: str,
    path: str,
    api_schema: schemathesis.BaseSchema,
    officer: User,
    officer_token: str,
) -> None:
    operation = api_schema[path][method]
    # Random ids almost never name an object, so a few the officer can see are drawn as well.
    strategy = st.one_of(
        operation.as_strategy(),
        *(operation.as_strategy(path_parameters={"id": pk}) for pk in _visible_ids(path, officer_token)),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, quickly
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        token = officer_token
        if TOKEN_ENDING.match(path):
            _, token = services.api_token_issue(user=officer)
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    call()


def _visible_ids(path: str, token: str) -> list[Any]:
    """Ids of up to three objects in the collection an ``/…/{id}/…`` path belongs to, as the token sees it."""
    match = re.match(r"^(/api/v1/.+?/)\{id\}/", path)
    if not match:
        return []
    response = Client().get(match.group(1), HTTP_AUTHORIZATION=f"Token {token}")
    if response.status_code != 200 or "results" not in response.json():
        return []
    return [row["id"] for row in response.json()["results"][:3] if "id" in row]


# --- object-level authorisation across two stations (issue 8, item 5) ------------------------------------

# Every operation that names an object in its path. ``officer`` and ``officer_b`` are officers of two
# stations in different counties and cities: nothing of one is in the other's jurisdiction.
OBJECT_OPERATIONS = [(method, path) for method, path in OPERATIONS if "{" in path]
OLA_EXAMPLES = 4  # per operation: each example is two requests, and there are ~60 such operations
OBJECTS_PER_PARAMETER = 2
PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@schemathesis.check
def foreign_object_is_not_found(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """Another station's object does not exist for this caller: 404, whatever the method or body.

    Not 403 (that confirms the object exists), not 200/2xx (a read or write across stations), not 400
    (validated before the object was looked up: existence leaks), never 5xx."""
    if response.status_code != 404:
        raise AssertionError(
            f"officer_b got {response.status_code} (expected 404) for officer's object: "
            f"{case.method} {case.path} {case.path_parameters}\n{response.text[:300]}"
        )
    return None


@pytest.fixture
def officer_b_token(officer_b: User, isolated_cache: str) -> str:
    """A knox token for persona ``officer_b`` (another county and city than ``officer``)."""
    return obtain_token(officer_b.username)


@pytest.mark.parametrize(
    ("method", "path"), OBJECT_OPERATIONS, ids=[f"{m} {p}" for m, p in OBJECT_OPERATIONS]
)
def test_another_stations_object_answers_404(
    method: str,
    path: str,
    api_schema: schemathesis.BaseSchema,
    officer_token: str,
    officer_b_token: str,
) -> None:
    """Objects ``officer`` sees, requested by ``officer_b`` through this operation, answer 404.

    Schemathesis generates the rest of each request (query, body) from the schema; every case is
    sent first as ``officer_b`` (so a write across stations is caught before ``officer``'s own
    request could change or delete the object) and then as ``officer``, who must get no 5xx either.
    Schemathesis' built-in object-level-authorisation check is not used: it needs its own runner's
    identity pool, and it reports only a peer that receives an equivalent body, where this proves the
    stricter answer, 404."""
    parameter_sets = _officers_path_parameters(path, officer_token)
    assert parameter_sets, f"officer sees no object to reach through {path}: the tiny demo must have one"
    operation = api_schema[path][method]
    strategy = st.one_of(*(operation.as_strategy(path_parameters=values) for values in parameter_sets))

    @settings(
        max_examples=OLA_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers={"Authorization": f"Token {officer_b_token}"},
            checks=[not_a_server_error, foreign_object_is_not_found],
        )
        case.call_and_validate(
            headers={"Authorization": f"Token {officer_token}"}, checks=[not_a_server_error]
        )

    call()


def _officers_path_parameters(path: str, token: str) -> list[dict[str, Any]]:
    """Values for the path's parameters naming objects ``officer`` sees, each from the collection that
    precedes it in the path (``/disputes/{id}/follow-ups/{followup_id}/``: a dispute of officer's from
    ``/disputes/``, then one of its follow-ups from ``/disputes/<id>/follow-ups/``)."""
    found: list[dict[str, Any]] = [{}]
    for match in PATH_PARAMETER.finditer(path):
        name, template = match.group(1), path[: match.start()]
        deeper = []
        for values in found:
            collection = PATH_PARAMETER.sub(lambda m: str(values[m.group(1)]), template)  # noqa: B023
            for pk in _listed_ids(collection, token)[:OBJECTS_PER_PARAMETER]:
                deeper.append({**values, name: pk})
        found = deeper
    return found


def _listed_ids(collection: str, token: str) -> list[Any]:
    response = Client().get(collection, HTTP_AUTHORIZATION=f"Token {token}")
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body.get("results", []) if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


def test_every_api_route_is_in_the_schema() -> None:
    paths = {path for _, path in OPERATIONS}
    for path in ("/api/v1/auth/token/", "/api/v1/regions/", "/api/v1/stations/", "/api/v1/officers/"):
        assert path in paths, path


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(client: Client) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate_schema(document)  # against the OpenAPI 3 JSON Schema drf-spectacular ships
    served = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert set(OPERATIONS) <= served


@pytest.mark.django_db
def test_swagger_ui_is_served_from_local_static_files(client: Client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = [url for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if "//" in url]
    assert external == [], f"the docs page loads from elsewhere: {external}"
    static = django_settings.STATIC_URL
    assets = [url.split("?")[0] for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html)]
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets), assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the portal"
        if asset.startswith(static):
            assert finders.find(asset.removeprefix(static)), f"{asset} is not among the portal's static files"


@pytest.mark.django_db
def test_swagger_ui_runs_under_the_content_security_policy(client: Client) -> None:
    """The portal's CSP forbids inline scripts and styles, so the docs page must not need any."""
    response = client.get("/api/v1/docs/")
    html = response.content.decode()
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], "an inline script would be blocked"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"""<script src=["']([^"']+)""", html)
    page_script = next(url for url in scripts if "script" in url.split("?", 1)[-1])
    script = client.get(page_script.replace("&amp;", "&"))
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
