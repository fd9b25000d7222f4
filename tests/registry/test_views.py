"""The officers' pages: search by ID, phone and fuzzy name, person/house/unit pages and forms (bad
input: errors, nothing written), the address browser, trade fields by kind, address suggestions,
the duplicates queue, jurisdiction (404) and bounded query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.choices import AddressLevel, DuplicateStatus
from registry.models import Address, DuplicateCandidate, Person, Unit
from stations.models import User
from tests.registry.conftest import client_for, fresh_national_id, fresh_uscc

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["officer", "officer_b", "station_head", "county_staff", "city_staff", "province_admin", "auditor"])
def test_every_persona_reaches_the_registry_pages(request, persona: str) -> None:
    client = client_for(request.getfixturevalue(persona))
    for url in ("/registry/", "/registry/persons/", "/registry/addresses/", "/registry/houses/", "/registry/units/", "/registry/duplicates/"):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_sign_in() -> None:
    from django.test import Client

    response = Client().get("/registry/persons/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_search_by_national_id_phone_and_similar_name(officer, person_a) -> None:
    client = client_for(officer)
    by_id = client.get("/registry/persons/", {"q": person_a.national_id})
    assert [p.pk for p in by_id.context["object_list"]] == [person_a.pk] and by_id.context["search_kind"] == "national_id"
    by_phone = client.get("/registry/persons/", {"q": f"{person_a.phone[:3]} {person_a.phone[3:7]} {person_a.phone[7:]}"})
    assert person_a.pk in [p.pk for p in by_phone.context["object_list"]] and by_phone.context["search_kind"] == "phone"
    three = Person.objects.filter(station=person_a.station, deleted=False, name__regex=r"^.{3}$").order_by("id").first()
    typo = three.name[:2] + ("华" if three.name[2] != "华" else "明")  # last character wrong
    fuzzy = client.get("/registry/persons/", {"q": typo})
    assert fuzzy.context["search_kind"] == "name"
    assert three.pk in [p.pk for p in fuzzy.context["object_list"]]


def test_person_page_and_out_of_jurisdiction(officer, officer_b, person_a) -> None:
    assert client_for(officer).get(f"/registry/persons/{person_a.pk}/").status_code == 200
    assert client_for(officer_b).get(f"/registry/persons/{person_a.pk}/").status_code == 404
    assert client_for(officer_b).get(f"/registry/persons/{person_a.pk}/edit/").status_code == 404


def test_edit_form_bad_input_writes_nothing(officer, person_a) -> None:
    client = client_for(officer)
    before = Person.objects.filter(pk=person_a.pk).values().get()
    data = {"national_id": person_a.national_id, "name": "新名", "phone": "12345", "category": "permanent",
            "gender": "F" if int(person_a.national_id[16]) % 2 else "M", "address": person_a.address_id or ""}
    response = client.post(f"/registry/persons/{person_a.pk}/edit/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert "phone" in form.errors and "gender" in form.errors
    assert Person.objects.filter(pk=person_a.pk).values().get() == before
    data.update(phone="13912345678", gender="")
    ok = client.post(f"/registry/persons/{person_a.pk}/edit/", data)
    assert ok.status_code == 302
    person_a.refresh_from_db()
    assert (person_a.name, person_a.phone) == ("新名", "13912345678")


def test_readers_cannot_open_the_forms(county_staff, person_a) -> None:
    assert client_for(county_staff).get(f"/registry/persons/{person_a.pk}/edit/").status_code == 403
    assert client_for(county_staff).get("/registry/persons/new/").status_code == 403


def test_register_a_person_from_the_form(officer, room_a) -> None:
    number = fresh_national_id()
    response = client_for(officer).post("/registry/persons/new/", {
        "national_id": number, "name": "新来的", "category": "floating", "address": room_a.pk, "phone": "13700001111",
    })
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    person = Person.objects.get(national_id=number)
    assert person.station_id == room_a.station_id and person.address_id == room_a.pk


def test_address_browser_drills_down(officer, officer_b, station_a) -> None:
    client = client_for(officer)
    top = client.get("/registry/addresses/")
    townships = top.context["children"]
    assert townships and all(a.level == AddressLevel.TOWNSHIP and a.station_id == station_a.pk for a in townships)
    node = townships[0]
    for _level in range(3):
        page = client.get(f"/registry/addresses/{node.pk}/")
        assert page.status_code == 200
        assert [a.pk for a in page.context["lineage"]][-1] == node.pk
        node = page.context["children"][0]
    assert client_for(officer_b).get(f"/registry/addresses/{node.pk}/").status_code == 404


def test_address_search_and_suggestions_partial(officer, station_a) -> None:
    road = Address.objects.filter(station=station_a, level=AddressLevel.ROAD).order_by("id").first()
    response = client_for(officer).get("/registry/addresses/suggest/", {"address_text": road.parent.name + road.name})
    assert response.status_code == 200
    assert f'data-address-pick="{road.pk}"' in response.content.decode()


def test_unit_kind_decides_the_trade_fields(officer) -> None:
    client = client_for(officer)
    hotel = client.get("/registry/units/trade-fields/", {"kind": "hotel"}).content.decode()
    cafe = client.get("/registry/units/trade-fields/", {"kind": "internet_cafe"}).content.decode()
    assert 'name="trade_rooms"' in hotel and 'name="trade_seats"' not in hotel
    assert 'name="trade_seats"' in cafe and 'name="trade_rooms"' not in cafe
    assert 'name="trade_' not in client.get("/registry/units/trade-fields/", {"kind": "other"}).content.decode()


def test_register_a_unit_with_its_trade(officer, room_a) -> None:
    code = fresh_uscc()
    response = client_for(officer).post("/registry/units/new/", {
        "name": "黄河宾馆", "uscc": code, "kind": "hotel", "address": room_a.pk, "trade_rooms": "30", "trade_beds": "50",
    })
    assert response.status_code == 302
    unit = Unit.objects.get(uscc=code)
    assert unit.trade_details == {"rooms": 30, "beds": 50} and unit.station_id == room_a.station_id
    bad = client_for(officer).post("/registry/units/new/", {"name": "x", "uscc": code, "kind": "other"})
    assert bad.status_code == 400 and "uscc" in bad.context["form"].errors


def test_house_and_unit_pages(officer, officer_b, house_a, unit_a) -> None:
    client = client_for(officer)
    assert client.get(f"/registry/houses/{house_a.pk}/").status_code == 200
    assert client.get(f"/registry/units/{unit_a.pk}/").status_code == 200
    assert client.get(f"/registry/houses/{house_a.pk}/edit/").status_code == 200
    assert client_for(officer_b).get(f"/registry/houses/{house_a.pk}/").status_code == 404
    assert client_for(officer_b).get(f"/registry/units/{unit_a.pk}/").status_code == 404


def test_enter_once_fields_carry_the_lookup(officer) -> None:
    page = client_for(officer).get("/registry/houses/new/").content.decode()
    assert 'data-lookup-url="/api/v1/registry/lookup/person/"' in page
    assert "registry/registry.js" in page and "<script>" not in page


def test_duplicates_queue_merge_and_dismiss(officer, station_a) -> None:
    services.duplicates_find(station_ids=[station_a.pk])
    client = client_for(officer)
    page = client.get("/registry/duplicates/")
    rows = page.context["rows"]
    assert rows and all(r["candidate"].station_id == station_a.pk for r in rows)
    person_row = next(r for r in rows if r["candidate"].kind == "persons")
    pair = person_row["candidate"]
    assert client.post(f"/registry/duplicates/{pair.pk}/merge/", {"keep": pair.record_b}).status_code == 302
    assert Person.objects.get(pk=pair.record_a).deleted
    other = DuplicateCandidate.objects.filter(station=station_a, status=DuplicateStatus.OPEN).first()
    assert client.post(f"/registry/duplicates/{other.pk}/dismiss/").status_code == 302
    other.refresh_from_db()
    assert other.status == DuplicateStatus.DISMISSED


@pytest.mark.parametrize("url", ["/registry/persons/", "/registry/houses/", "/registry/units/"])
def test_list_pages_have_bounded_query_counts(county_staff, url: str) -> None:
    counts = []
    for _ in range(2):
        client = client_for(User.objects.get(pk=county_staff.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] <= 12, [q["sql"][:120] for q in ctx.captured_queries]
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_deleted_records_are_hidden_from_people(officer, person_a) -> None:
    services.person_delete(user=officer, person=person_a)
    client = client_for(officer)
    assert client.get(f"/registry/persons/{person_a.pk}/").status_code == 404
    assert person_a.pk not in [p.pk for p in client.get("/registry/persons/", {"q": person_a.national_id}).context["object_list"]]


def test_a_new_address_that_sounds_like_a_sibling_is_offered_first(officer, station_a) -> None:
    road = Address.objects.filter(station=station_a, level=AddressLevel.ROAD, name__endswith="路").order_by("id").first()
    sounding = road.name[:-1] + "露"  # 路 and 露 are both "lu"
    client = client_for(officer)
    data = {"parent": road.parent_id, "level": "road", "name": sounding}
    offered = client.post(f"/registry/addresses/new/?parent={road.parent_id}", data)
    assert offered.status_code == 400
    assert road.pk in [s.address.pk for s in offered.context["suggestions"]]
    assert not Address.objects.filter(parent_id=road.parent_id, name=sounding).exists()  # never merged, never silently created
    created = client.post(f"/registry/addresses/new/?parent={road.parent_id}", {**data, "confirm": "1"})
    assert created.status_code == 302
    assert Address.objects.filter(parent_id=road.parent_id, name=sounding, station=station_a).exists()
