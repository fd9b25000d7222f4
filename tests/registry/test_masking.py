"""Masking by role, the explicit grant, and the access log: one row per request that showed anyone
unmasked (API list or detail, page, look-up), none for masked reads. And a property: masked output
never contains the full ID."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from registry.api.serializers import PersonSerializer
from registry.masking import MaskingPolicy, mask_national_id, mask_phone, policy_for
from registry.models import AccessLog, Person
from stations.models import User
from tests.registry.conftest import client_for

MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")
URL = "/api/v1/registry/persons/"


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_the_mask_formats() -> None:
    assert mask_national_id("62010219900101123X") == "620102********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("09318123456") == "093****3456"
    assert mask_national_id("") == "" and mask_phone("") == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "masked"), [
    ("officer", False), ("station_head", False), ("county_staff", True), ("city_staff", True),
    ("province_admin", True), ("auditor", True), ("api_client_user", True),
])
def test_masking_per_role(request, api, persona: str, masked: bool, person_a) -> None:
    user = request.getfixturevalue(persona)
    body = api(user).get(f"{URL}{person_a.pk}/").json()
    assert body["masked"] is masked
    if masked:
        assert MASKED_ID.match(body["national_id"]) and body["national_id"] != person_a.national_id
        assert MASKED_PHONE.match(body["phone"])
    else:
        assert (body["national_id"], body["phone"]) == (person_a.national_id, person_a.phone)


@pytest.mark.django_db
def test_the_grant_is_explicit_and_unmasks(api, county_staff, person_a) -> None:
    assert api(fresh(county_staff)).get(f"{URL}{person_a.pk}/").json()["masked"] is True
    county_staff.user_permissions.add(Permission.objects.get(codename="view_unmasked_person", content_type__app_label="registry"))
    body = api(fresh(county_staff)).get(f"{URL}{person_a.pk}/", {"purpose": "案件 2025-117"}).json()
    assert body["masked"] is False and body["national_id"] == person_a.national_id
    log = AccessLog.objects.latest("id")
    assert (log.user_id, log.person_ids, log.purpose, log.region_id) == (county_staff.pk, [person_a.pk], "案件 2025-117", county_staff.home_region_id)


@pytest.mark.django_db
def test_the_grant_through_a_group_unmasks_and_another_permission_does_not(api, county_staff, person_a) -> None:
    from django.contrib.auth.models import Group

    other = Group.objects.create(name="may change persons")
    other.permissions.add(Permission.objects.get(codename="change_person", content_type__app_label="registry"))
    county_staff.groups.add(other)
    assert api(fresh(county_staff)).get(f"{URL}{person_a.pk}/").json()["masked"] is True
    readers = Group.objects.create(name="may read full data")
    readers.permissions.add(Permission.objects.get(codename="view_unmasked_person", content_type__app_label="registry"))
    county_staff.groups.add(readers)
    body = api(fresh(county_staff)).get(URL, {"page_size": 1000}).json()
    assert body["results"] and all(row["masked"] is False for row in body["results"])


@pytest.mark.django_db
def test_one_access_log_row_per_unmasked_list(api, officer, station_a) -> None:
    before = AccessLog.objects.count()
    body = api(officer).get(URL, {"page_size": 50, "purpose": "走访核查"}).json()
    assert AccessLog.objects.count() == before + 1
    log = AccessLog.objects.latest("id")
    assert sorted(log.person_ids) == sorted(r["id"] for r in body["results"]) and len(log.person_ids) == 50
    assert (log.user_id, log.station_id, log.purpose) == (officer.pk, station_a.pk, "走访核查")
    assert log.action == "api.person.list" and log.path.startswith(URL)


@pytest.mark.django_db
def test_masked_reads_are_not_logged(api, county_staff, api_client_user, person_a) -> None:
    before = AccessLog.objects.count()
    api(county_staff).get(URL)
    api(api_client_user).get(f"{URL}{person_a.pk}/")
    api(county_staff).get("/api/v1/registry/lookup/person/", {"national_id": person_a.national_id})
    assert AccessLog.objects.count() == before


@pytest.mark.django_db
def test_lookups_and_pages_log_unmasked_reads(api, officer, county_staff, person_a, house_a) -> None:
    before = AccessLog.objects.count()
    found = api(officer).get("/api/v1/registry/lookup/person/", {"national_id": person_a.national_id, "purpose": "录入房主"}).json()
    assert found["person"]["national_id"] == person_a.national_id
    assert AccessLog.objects.latest("id").person_ids == [person_a.pk]
    page = client_for(officer).get(f"/registry/persons/{person_a.pk}/")
    assert person_a.national_id in page.content.decode()
    assert AccessLog.objects.count() == before + 2 and AccessLog.objects.latest("id").action == "page.person"
    masked_page = client_for(county_staff).get(f"/registry/persons/{person_a.pk}/")
    assert person_a.national_id not in masked_page.content.decode()
    assert mask_national_id(person_a.national_id) in masked_page.content.decode()
    assert AccessLog.objects.count() == before + 2
    # A house's owner is a person too: reading the house unmasked is logged as reading them.
    owner = Person.objects.filter(national_id=house_a.owner_national_id).first()
    api(officer).get(f"/api/v1/registry/houses/{house_a.pk}/")
    if owner is not None:
        assert AccessLog.objects.latest("id").person_ids == [owner.pk]


@pytest.mark.django_db
def test_the_auditor_searches_the_access_log(officer, auditor, person_a, api) -> None:
    api(officer).get(f"{URL}{person_a.pk}/", {"purpose": "核对户籍"})
    page = client_for(auditor).get("/registry/access-log/", {"national_id": person_a.national_id})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows and all(person_a.pk in r.person_ids for r in rows) and rows[0].purpose == "核对户籍"
    assert client_for(auditor).get("/registry/access-log/", {"purpose": "核对户籍"}).context["rows"]
    assert client_for(officer).get("/registry/access-log/").status_code == 403


# --- the property ----------------------------------------------------------------------------------


@st.composite
def national_ids(draw: Any) -> str:
    region = draw(st.sampled_from(["620102", "620123", "620502", "110101", "510106", "622901"]))
    born = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2020, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@given(number=national_ids(), phone=st.from_regex(r"\A1[3-9]\d{9}\Z"))
@settings(max_examples=300, deadline=None)
def test_masked_output_never_contains_the_full_id(number: str, phone: str) -> None:
    assert mask_national_id(number) != number and number not in mask_national_id(number)
    assert mask_national_id(number)[:6] == number[:6] and mask_national_id(number)[-4:] == number[-4:]
    assert number[6:14] not in mask_national_id(number)  # the birth date is hidden
    person = Person(id=1, national_id=number, name="张三", phone=phone, station_id=1, category="permanent")
    policy = MaskingPolicy(user=None, granted=False, home_station_id=2, station_role=True)
    output = json.dumps(PersonSerializer(person, context={"masking": policy}).data, ensure_ascii=False)
    assert number not in output and phone not in output
    assert not policy.revealed


def test_no_policy_is_no_access() -> None:
    policy = policy_for(None)
    assert not policy.unmasked(1)
