"""The registry's sync API: field contract, 401/400/403/404, writes through the services (station
derived, never assigned), tombstones, filters, page sizes and bounded query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.choices import AddressLevel, PersonCategory
from registry.models import Address, House, Person, Unit
from tests.registry.conftest import fresh_national_id, fresh_uscc

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registry"
PERSON_CONTRACT = {"id", "national_id", "name", "gender", "birth_date", "phone", "category", "station", "address",
                   "verified_at", "updated_at", "deleted"}


def all_rows(client: Any, url: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    response = client.get(url, {"page_size": 1000, **params})
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def test_person_fields_clients_rely_on(api, officer, person_a) -> None:
    body = api(officer).get(f"{BASE}/persons/{person_a.pk}/").json()
    assert PERSON_CONTRACT <= set(body)
    assert body["national_id"] == person_a.national_id and body["station"] == person_a.station_id
    assert body["deleted"] is False


@pytest.mark.parametrize("collection", ["addresses", "persons", "units", "houses"])
def test_anonymous_is_401(api, collection: str) -> None:
    assert api(None).get(f"{BASE}/{collection}/").status_code == 401
    assert api(None).post(f"{BASE}/{collection}/", {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("collection", "model"), [("addresses", Address), ("persons", Person), ("units", Unit), ("houses", House)]
)
def test_out_of_jurisdiction_is_404_for_read_update_and_delete(api, officer, officer_b, station_a, collection, model) -> None:
    obj = model.objects.filter(station=station_a, deleted=False).order_by("id").first()
    url = f"{BASE}/{collection}/{obj.pk}/"
    other = api(officer_b)
    before = model.objects.filter(pk=obj.pk).values().get()
    assert other.get(url).status_code == 404
    assert other.patch(url, {"name": "x"}, format="json").status_code == 404
    assert other.delete(url).status_code == 404
    assert model.objects.filter(pk=obj.pk).values().get() == before
    assert obj.pk not in {row["id"] for row in all_rows(other, f"{BASE}/{collection}/")}
    assert api(officer).get(url).status_code == 200


def test_create_a_person_station_comes_from_the_address(api, officer, room_a, station_b) -> None:
    number = fresh_national_id(male=False, born=dt.date(1992, 3, 4))
    response = api(officer).post(f"{BASE}/persons/", {
        "national_id": number, "name": "王秀英", "phone": "139 1234 5678", "address": room_a.pk,
        "category": "floating", "inflow_date": "2024-01-02", "station": station_b.pk,  # ignored
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.station_id == room_a.station_id != station_b.pk
    assert (person.gender, person.birth_date) == ("F", dt.date(1992, 3, 4))  # taken from the ID
    assert person.phone == "13912345678"


def test_bad_input_is_400_with_the_field_and_writes_nothing(api, officer, room_a) -> None:
    count = Person.objects.count()
    good = fresh_national_id()
    cases = [
        ({"national_id": good[:-1] + ("0" if good[-1] != "0" else "1"), "name": "甲"}, "national_id"),
        ({"national_id": good, "name": "甲", "gender": "F" if int(good[16]) % 2 else "M"}, "gender"),
        ({"national_id": good, "name": "甲", "phone": "1381234567"}, "phone"),
        ({"national_id": good, "name": ""}, "name"),
        ({"national_id": good, "name": "甲", "category": "tourist"}, "category"),
    ]
    for payload, field in cases:
        response = api(officer).post(f"{BASE}/persons/", {**payload, "address": room_a.pk}, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
    assert Person.objects.count() == count


def test_a_duplicate_national_id_is_400_not_500(api, officer, person_a, room_a) -> None:
    response = api(officer).post(f"{BASE}/persons/", {"national_id": person_a.national_id, "name": "重复", "address": room_a.pk}, format="json")
    assert response.status_code == 400
    assert "national_id" in response.json()


def test_an_address_outside_the_jurisdiction_is_refused(api, officer, officer_b, person_a) -> None:
    foreign = Address.objects.filter(station=officer_b.home_station).first()
    response = api(officer).patch(f"{BASE}/persons/{person_a.pk}/", {"address": foreign.pk}, format="json")
    assert response.status_code == 400 and "address" in response.json()
    assert Person.objects.get(pk=person_a.pk).address_id == person_a.address_id


def test_readers_cannot_write(api, county_staff, api_client_user, room_a) -> None:
    payload = {"national_id": fresh_national_id(), "name": "甲", "address": room_a.pk}
    assert api(county_staff).post(f"{BASE}/persons/", payload, format="json").status_code == 403
    assert api(api_client_user).post(f"{BASE}/persons/", payload, format="json").status_code == 403


def test_patch_through_the_service(api, officer, person_a) -> None:
    response = api(officer).patch(f"{BASE}/persons/{person_a.pk}/", {"phone": "0931-8123456", "name": "新名字"}, format="json")
    assert response.status_code == 200, response.content
    person_a.refresh_from_db()
    assert (person_a.phone, person_a.name) == ("09318123456", "新名字")
    bad = api(officer).patch(f"{BASE}/persons/{person_a.pk}/", {"phone": "123"}, format="json")
    assert bad.status_code == 400 and "phone" in bad.json()
    assert Person.objects.get(pk=person_a.pk).phone == "09318123456"


def test_delete_is_a_tombstone_clients_see(api, officer, person_a, room_a) -> None:
    client = api(officer)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert client.delete(f"{BASE}/persons/{person_a.pk}/").status_code == 204
    assert Person.objects.filter(pk=person_a.pk, deleted=True).exists()
    assert client.get(f"{BASE}/persons/{person_a.pk}/").json()["deleted"] is True
    changed = all_rows(client, f"{BASE}/persons/", updated_since=before.isoformat())
    assert [(r["id"], r["deleted"]) for r in changed] == [(person_a.pk, True)]
    assert person_a.pk not in {r["id"] for r in all_rows(client, f"{BASE}/persons/", deleted="false")}
    # A tombstone can be neither edited nor deleted again…
    assert client.patch(f"{BASE}/persons/{person_a.pk}/", {"name": "x"}, format="json").status_code == 404
    assert client.delete(f"{BASE}/persons/{person_a.pk}/").status_code == 404
    # …but registering the same national ID again brings the record back, same id.
    again = client.post(f"{BASE}/persons/", {"national_id": person_a.national_id, "name": person_a.name, "address": room_a.pk}, format="json")
    assert again.status_code == 201 and again.json()["id"] == person_a.pk and again.json()["deleted"] is False


def test_addresses_are_derived_and_placed_by_the_parent(api, officer, room_a) -> None:
    number = Address.objects.filter(station=room_a.station, level=AddressLevel.NUMBER).order_by("id").first()
    response = api(officer).post(f"{BASE}/addresses/", {"parent": number.pk, "level": "building", "name": "9号楼"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_text"] == number.full_text + "9号楼"
    assert body["code"].startswith(number.code) and body["station"] == number.station_id
    assert body["pinyin"].endswith("9 hao lou")
    again = api(officer).post(f"{BASE}/addresses/", {"parent": number.pk, "level": "building", "name": "9号楼"}, format="json")
    assert again.status_code == 400 and "name" in again.json()
    upward = api(officer).post(f"{BASE}/addresses/", {"parent": number.pk, "level": "road", "name": "新路"}, format="json")
    assert upward.status_code == 400 and "level" in upward.json()


def test_a_house_fills_its_owner_from_the_registry(api, officer, free_address_a, person_a) -> None:
    response = api(officer).post(f"{BASE}/houses/", {
        "address": free_address_a.pk, "use": "rental", "owner_national_id": person_a.national_id, "is_rented": True,
    }, format="json")
    assert response.status_code == 201, response.content
    house = House.objects.get(pk=response.json()["id"])
    assert (house.owner_name, house.owner_phone, house.station_id) == (person_a.name, person_a.phone, free_address_a.station_id)
    again = api(officer).post(f"{BASE}/houses/", {"address": free_address_a.pk}, format="json")
    assert again.status_code == 400 and "address" in again.json()


def test_units_by_code_with_trade_details(api, officer, room_a, unit_a) -> None:
    code = fresh_uscc()
    client = api(officer)
    response = client.post(f"{BASE}/units/", {
        "name": "丝路网咖", "uscc": code, "kind": "internet_cafe", "address": room_a.pk,
        "trade_details": {"seats": 120, "culture_licence": "甘文网000001"},
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["key_venue"] is True
    assert client.post(f"{BASE}/units/", {"name": "x", "uscc": code}, format="json").json().keys() >= {"uscc"}
    bad = client.post(f"{BASE}/units/", {"name": "x", "uscc": code[:-1] + ("0" if code[-1] != "0" else "1")}, format="json")
    assert bad.status_code == 400 and "uscc" in bad.json()
    wrong_trade = client.post(f"{BASE}/units/", {"name": "x", "uscc": fresh_uscc(), "kind": "hotel", "trade_details": {"seats": 3}}, format="json")
    assert wrong_trade.status_code == 400 and "trade_details" in wrong_trade.json()


def test_filters(api, officer, station_a, station_b) -> None:
    client = api(officer)
    floating = all_rows(client, f"{BASE}/persons/", category="floating")
    assert floating and all(r["category"] == PersonCategory.FLOATING for r in floating)
    expected = set(Person.objects.filter(station=station_a, category=PersonCategory.FLOATING).values_list("pk", flat=True))
    assert {r["id"] for r in floating} == expected
    unlinked = all_rows(client, f"{BASE}/persons/", has_address="false")
    assert unlinked and all(r["address"] is None for r in unlinked)
    some = Person.objects.filter(station=station_a).order_by("id")[3]
    assert [r["id"] for r in all_rows(client, f"{BASE}/persons/", national_id=some.national_id.lower())] == [some.pk]
    key = all_rows(client, f"{BASE}/units/", key_venue="true")
    assert key and all(r["key_venue"] for r in key)
    # A station outside the jurisdiction is not a valid choice (and does not tell whether it exists).
    assert client.get(f"{BASE}/persons/", {"station": station_b.pk}).status_code == 400


def test_page_size_is_capped_at_1000(api, officer) -> None:
    client = api(officer)
    assert len(client.get(f"{BASE}/persons/", {"page_size": 3}).json()["results"]) == 3
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from registry.api.pagination import SyncPagination

    assert SyncPagination().get_page_size(Request(APIRequestFactory().get("/", {"page_size": 100000}))) == 1000
    assert client.get(f"{BASE}/persons/", {"page_size": "x"}).status_code == 400
    assert client.get(f"{BASE}/persons/", {"updated_since": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/persons/", {"cursor": "garbage"}).status_code == 400


@pytest.mark.parametrize("collection", ["addresses", "persons", "units", "houses"])
def test_list_query_count_does_not_grow_with_the_page(api, county_staff, collection: str) -> None:
    from stations.models import User

    counts = []
    for size in (2, 8):
        client = api(User.objects.get(pk=county_staff.pk))  # a fresh user: permissions not cached
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{BASE}/{collection}/", {"page_size": size})
        assert response.status_code == 200 and len(response.json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 8, counts


def test_lookups_are_scoped(api, officer, officer_b, person_a, unit_a) -> None:
    found = api(officer).get(f"{BASE}/lookup/person/", {"national_id": person_a.national_id}).json()
    assert found["found"] and found["person"]["name"] == person_a.name
    assert api(officer_b).get(f"{BASE}/lookup/person/", {"national_id": person_a.national_id}).json() == {"found": False}
    unit = api(officer).get(f"{BASE}/lookup/unit/", {"uscc": unit_a.uscc}).json()
    assert unit["found"] and unit["unit"]["name"] == unit_a.name
    assert api(officer_b).get(f"{BASE}/lookup/unit/", {"uscc": unit_a.uscc}).json() == {"found": False}
    assert api(None).get(f"{BASE}/lookup/person/", {"national_id": person_a.national_id}).status_code == 401


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC"])
@pytest.mark.parametrize("who", ["officer", "county_staff"])
def test_the_person_list_presents_rows_exactly_as_the_person_serializer(
    api, request, settings, person_a, who: str, zone: str
) -> None:
    """The list endpoint's lean row builder (``person_rows``) gives PersonSerializer's output: same keys in
    the same order, same values, same masking (officer: own station unmasked; county staff: masked), and
    date-times in the same zone and form (DRF writes UTC with a "Z")."""
    from registry.api.serializers import PersonSerializer
    from registry.masking import policy_for

    settings.TIME_ZONE = zone
    user = request.getfixturevalue(who)
    Person.objects.filter(pk=person_a.pk).update(verified_at=dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                                                 inflow_date=dt.date(2024, 3, 1))  # fmt: skip
    listed = {row["id"]: row for row in all_rows(api(user), f"{BASE}/persons/")}
    assert person_a.pk in listed
    persons = list(Person.objects.for_user(user).order_by("updated_at", "id"))
    expected = PersonSerializer(persons, many=True, context={"masking": policy_for(user)}).data
    for row in expected:
        assert list(listed[row["id"]].items()) == list(dict(row).items())
    assert listed[person_a.pk]["masked"] is (who == "county_staff")


@pytest.mark.parametrize("who", ["officer", "county_staff", "api_client_user"])
def test_a_token_client_lists_persons_in_five_queries_whatever_the_page_size(
    request, who: str, django_assert_max_num_queries
) -> None:
    """The sync list with a real API token: the token with its user and home unit (one query), the sync
    horizon (two inside the test's transaction, one in autocommit), the page, and either the unmask grant
    (users above a station) or the access-log row (an officer's own people) — no query per row, none
    per other token of the user, none for the home unit."""
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    user = request.getfixturevalue(who)
    for _ in range(3):  # other tokens of the same user cost nothing
        AuthToken.objects.create(user=user)
    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    for size in (5, 500):
        with django_assert_max_num_queries(5):
            response = client.get(f"{BASE}/persons/", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, Person.objects.for_user(user).count())
