"""Abuse of the API by a signed-in caller: oversized pages, mass assignment of fields the server owns,
and national IDs leaking through masking, log lines or URLs (issue 8, item 5)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from stdnum import numdb
from stdnum.cn import ric

from beats.models import CheckIn
from common.logs import ContextFilter, JsonFormatter
from disputes.choices import DisputeState
from disputes.models import Dispute
from registry.api.serializers import PersonSerializer
from registry.masking import MaskingPolicy, mask_national_id
from registry.models import AccessLog, ImportJob, Person
from stations.api.throttling import PerTokenRateThrottle
from stations.models import Region, Station, User
from stations.services import api_token_issue

Api = Callable[[User | None], APIClient]

DOCUMENTED_PAGE_CAP = 1000  # DESIGN.md: "page_size up to 1000"


@pytest.fixture(autouse=True)
def _own_rate_counters(isolated_cache: str) -> None:
    """Throttle counters of these tests live under a key prefix of their own."""


# --- page_size is capped ------------------------------------------------------------------------------


def _more_than_a_page_of_persons(station: Station) -> None:
    rows = []
    for n in range(DOCUMENTED_PAGE_CAP + 5):
        nid = f"6201{n // 1000:02d}19000101{n % 1000:03d}"  # a birth date no demo person has
        rows.append(
            Person(national_id=nid + ric.calc_check_digit(nid + "0"), name=f"测试{n}", station=station)
        )
    Person.objects.bulk_create(rows)


def test_person_page_size_is_capped(api: Api, officer: User) -> None:
    _more_than_a_page_of_persons(officer.home_station)
    assert Person.objects.for_user(officer).count() > DOCUMENTED_PAGE_CAP

    response = api(officer).get("/api/v1/registry/persons/", {"page_size": 100000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == DOCUMENTED_PAGE_CAP
    assert response.json()["next"]


def test_station_page_size_is_capped(api: Api, province_admin: User) -> None:
    county = Region.objects.filter(stations__isnull=False).first()
    Station.objects.bulk_create(
        Station(code=f"9{n:011d}", name=f"测试派出所{n}", county=county)
        for n in range(DOCUMENTED_PAGE_CAP + 5)
    )

    response = api(province_admin).get("/api/v1/stations/", {"page_size": 100000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == DOCUMENTED_PAGE_CAP
    assert response.json()["next"]


# --- rate limits -----------------------------------------------------------------------------------------


def test_person_detail_reads_are_rate_limited_per_token(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token that reads people one by one (scraping the registry) meets 429; another token of the
    same user keeps its own budget."""
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    person = Person.objects.filter(station=officer.home_station).first()
    scraper, other = (
        APIClient(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=officer)[1]}") for _ in range(2)
    )
    url = f"/api/v1/registry/persons/{person.pk}/"
    assert [scraper.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert other.get(url).status_code == 200


# --- mass assignment ----------------------------------------------------------------------------------


def _server_owned(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    obj.refresh_from_db()
    return {name: getattr(obj, name) for name in names}


def test_person_patch_cannot_set_station_verification_or_import(
    api: Api, officer: User, officer_b: User, province_admin: User
) -> None:
    person = Person.objects.filter(station=officer.home_station, deleted=False).order_by("id").first()
    owned = ["station_id", "verified_at", "verified_by_id", "import_job_id", "created_at", "deleted"]
    before = _server_owned(person, owned)
    job = ImportJob.objects.exclude(pk=person.import_job_id).first()
    assert job is not None

    response = api(officer).patch(
        f"/api/v1/registry/persons/{person.pk}/",
        {
            "name": "张新名",  # a field the officer may change, so the request itself succeeds
            "station": officer_b.home_station_id,
            "verified_at": "2020-01-01T00:00:00+08:00",
            "verified_by": province_admin.pk,
            "created_by": province_admin.pk,
            "import_job": job.pk,
            "created_at": "2020-01-01T00:00:00+08:00",
            "deleted": True,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert _server_owned(person, owned) == before
    assert person.name == "张新名"


def test_dispute_patch_cannot_set_station_state_or_recorder(
    api: Api, officer: User, officer_b: User, province_admin: User
) -> None:
    dispute = Dispute.objects.filter(station=officer.home_station, state=DisputeState.SCREENING).first()
    owned = ["station_id", "state", "closed_on", "created_by_id", "created_at"]
    before = _server_owned(dispute, owned)

    response = api(officer).patch(
        f"/api/v1/disputes/{dispute.pk}/",
        {
            "title": "邻里噪音纠纷（已核实）",
            "station": officer_b.home_station_id,
            "state": DisputeState.RESOLVED,
            "closed_on": str(timezone.localdate()),
            "created_by": province_admin.pk,
            "verified_at": "2020-01-01T00:00:00+08:00",
            "verified_by": province_admin.pk,
            "import_job": 1,
            "created_at": "2020-01-01T00:00:00+08:00",
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert _server_owned(dispute, owned) == before
    assert dispute.title == "邻里噪音纠纷（已核实）"


def test_check_in_fields_are_the_servers_on_create_and_never_patched(
    api: Api, officer: User, officer_b: User, station_head: User
) -> None:
    client = api(officer)
    response = client.post(
        "/api/v1/check-ins/",
        {
            "lat": 0.0,
            "lon": 0.0,
            "accuracy": 10,  # far outside any beat of the province
            "officer": officer_b.officer_id,
            "station": officer_b.home_station_id,
            "beat": None,
            "inside_beat": True,
            "counts": True,
            "flags": [],
            "review": "accepted",
            "reviewed_by": station_head.pk,
            "reviewed_at": "2020-01-01T00:00:00Z",
            "source": "web",
            "at": "2020-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert check_in.officer_id == officer.officer_id
    assert check_in.station_id == officer.home_station_id
    assert check_in.inside_beat is False and check_in.counts is False and check_in.flags
    assert check_in.review == "" and check_in.reviewed_by_id is None and check_in.reviewed_at is None
    assert abs(check_in.at - timezone.now()) < dt.timedelta(minutes=5)

    owned = [
        "officer_id",
        "station_id",
        "beat_id",
        "inside_beat",
        "counts",
        "flags",
        "review",
        "reviewed_by_id",
        "at",
    ]
    before = _server_owned(check_in, owned)
    patched = client.patch(
        f"/api/v1/check-ins/{check_in.pk}/",
        {
            "station": officer_b.home_station_id,
            "inside_beat": True,
            "counts": True,
            "review": "accepted",
            "verified_at": "2020-01-01T00:00:00Z",
            "created_by": station_head.pk,
            "import_job": 1,
        },
        format="json",
    )
    assert patched.status_code == 405  # check-ins are never changed, only reviewed by the station
    assert _server_owned(check_in, owned) == before


# --- masking never shows a whole national ID ------------------------------------------------------------

_REGION_CODES = [
    province[1] + county[1] for province in numdb.get("cn/loc").prefixes for county in province[4]
]


@st.composite
def national_ids(draw: st.DrawFn) -> str:
    """Any valid GB 11643 number: a real region code, a birth date valid for it, any order, the check."""
    region = draw(st.sampled_from(_REGION_CODES))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)))
    order = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{born:%Y%m%d}{order:03d}"
    number = body + ric.calc_check_digit(body + "0")
    assume(ric.is_valid(number))
    return number


def _valid_ids_in(text: str) -> set[str]:
    """Every 18-character window of ``text`` that is a valid national ID."""
    return {text[i : i + 18] for i in range(len(text) - 17) if ric.is_valid(text[i : i + 18])}


@given(national_ids())
@settings(max_examples=500, deadline=None)
def test_masked_national_id_never_contains_a_full_id(number: str) -> None:
    masked = mask_national_id(number)
    assert number not in masked
    assert not _valid_ids_in(masked)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and len(masked) == 18  # 620102********123X


@given(national_ids(), st.sampled_from(["13812345678", "", "0931-8123456"]))
@settings(max_examples=200, deadline=None)
def test_masked_person_output_of_the_api_never_contains_a_full_id(number: str, phone: str) -> None:
    person = Person(id=1, national_id=number, name="李四", phone=phone, station_id=1)
    policy = MaskingPolicy(user=None, granted=False, home_station_id=2, station_role=True)  # another station
    data = PersonSerializer(person, context={"masking": policy}).data
    assert data["masked"] is True
    assert not _valid_ids_in(json.dumps(data, default=str))


# --- no national ID in log lines or API URLs ------------------------------------------------------------

ID_PATTERN = re.compile(r"[1-9]\d{16}[\dXx]")
PORTAL_LOGGERS = [
    "",
    "django.request",
    "django.server",
    "stations",
    "beats",
    "registry",
    "disputes",
    "evaluation",
    "rewards",
    "portal",
    "celery",
]


def _ids_in(text: str) -> set[str]:
    return {m for m in ID_PATTERN.findall(text) if ric.is_valid(m.upper())}


def _urls_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _urls_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls_in(item)
    elif isinstance(value, str) and (value.startswith(("http://", "https://", "/"))):
        yield value


def _decoded_cursors(url: str) -> list[str]:
    out = []
    for cursor in parse_qs(urlsplit(url).query).get("cursor", []):
        padded = cursor + "=" * (-len(cursor) % 4)
        out.append(base64.urlsafe_b64decode(padded.encode()).decode(errors="replace"))
    return out


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in PORTAL_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def json_lines(captured: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    """The portal's JSON log lines (``LOG_FORMAT=json``: its formatter and context filter) of the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    logging.getLogger().addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def test_no_national_id_in_log_lines_or_api_urls(
    api: Api, officer: User, officer_b: User, captured: pytest.LogCaptureFixture, json_lines: io.StringIO
) -> None:
    """An officer sees their station's people unmasked: list, next page, detail, searches by name and
    by national ID, and the failures a client also meets (out of scope, bad filter) — what they read
    stays in the response bodies, never in a log record or a URL the API hands out."""
    client = api(officer)
    shown: set[str] = set()
    urls: list[str] = []

    def read(path: str, params: dict[str, Any] | None = None, expect: int = 200) -> dict[str, Any]:
        response = client.get(path, params or {})
        assert response.status_code == expect, (path, response.content[:300])
        body = response.json()
        shown.update(_ids_in(json.dumps(body, ensure_ascii=False)))
        urls.extend(_urls_in(body))
        if body.get("sync_cursor"):  # opaque, but a client sends it back in a URL (?cursor=)
            urls.append(f"?cursor={body['sync_cursor']}")
        return body

    first = read("/api/v1/registry/persons/", {"page_size": 3})
    assert first["next"]
    second = read(first["next"])
    person = second["results"][0]
    read(f"/api/v1/registry/persons/{person['id']}/")
    read("/api/v1/registry/persons/", {"q": person["name"][:1], "page_size": 1})
    read("/api/v1/registry/persons/", {"national_id": person["national_id"], "page_size": 1})
    read("/api/v1/registry/persons/", {"q": person["national_id"]})
    outside = Person.objects.filter(station=officer_b.home_station).first()
    read(f"/api/v1/registry/persons/{outside.pk}/", expect=404)
    read(
        "/api/v1/registry/persons/",
        {"national_id": person["national_id"], "updated_since": "not-a-date"},
        expect=400,
    )

    assert person["national_id"] in shown and len(shown) >= 4  # the officer did read full IDs
    assert urls, "the API handed out no URL to check"
    for url in urls:
        assert not _ids_in(url), url
        for cursor in _decoded_cursors(url):
            assert not _ids_in(cursor), cursor
    assert captured.records, "nothing was logged: the capture would prove nothing"
    for record in captured.records:
        line = logging.Formatter("%(name)s %(message)s").format(record)
        assert not _ids_in(line), line
    as_json = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    request_lines = [line for line in as_json if line["logger"] == "portal.request"]
    assert len(request_lines) == 8 and all(line["request_id"] and line["path"] for line in request_lines)
    for line in as_json:
        assert not _ids_in(json.dumps(line, ensure_ascii=False)), line
        assert "?" not in line.get("path", "") and "national_id" not in line.get("path", ""), line


def test_the_access_log_row_of_a_search_does_not_repeat_the_national_id(api: Api, officer: User) -> None:
    person = Person.objects.filter(station=officer.home_station, deleted=False).first()
    before = AccessLog.objects.count()
    response = api(officer).get("/api/v1/registry/persons/", {"national_id": person.national_id})
    assert response.status_code == 200 and response.json()["results"]
    row = AccessLog.objects.order_by("-pk").first()
    assert AccessLog.objects.count() == before + 1 and person.pk in row.person_ids
    assert person.national_id not in row.path


def test_the_suite_wide_log_watch_catches_a_national_id_in_any_logger() -> None:
    """Every test runs under tests/log_watch.py; prove it sees a valid ID in a message and in a
    traceback (and ignores an 18-digit number that is not one), then take the planted lines back."""
    import logging

    from tests import log_watch

    valid = "11010519491231002X"
    start = len(log_watch._leaks)
    logger = logging.getLogger("portal.anything")
    logger.error("looked up %s", valid)
    try:
        raise ValueError(f"duplicate key (national_id)=({valid})")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error", exc_info=True)
    logger.error("order number 110105194912310021")  # wrong check character: not an ID
    planted = log_watch._leaks[start:]
    del log_watch._leaks[start:]
    assert len(planted) == 2 and all(valid in line for line in planted)
