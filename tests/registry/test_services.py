"""The registry's write services, tolerant address matching and the duplicates queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import services
from registry.choices import AddressLevel, DuplicateStatus, RecordKind
from registry.matching import suggest_addresses, to_pinyin
from registry.models import Address, DuplicateCandidate, House, Person, Residence
from tests.registry.conftest import fresh_national_id

pytestmark = pytest.mark.django_db


def test_person_verify_marks_only_live_persons_in_scope(officer, station_a, station_b) -> None:
    mine = list(Person.objects.filter(station=station_a, deleted=False).values_list("pk", flat=True)[:3])
    theirs = list(Person.objects.filter(station=station_b).values_list("pk", flat=True)[:2])
    at = timezone.now().replace(microsecond=0)
    before = {p.pk: p.updated_at for p in Person.objects.filter(pk__in=mine)}
    assert services.person_verify(person_ids=mine + theirs, user=officer, at=at) == 3
    for p in Person.objects.filter(pk__in=mine):
        assert (p.verified_at, p.verified_by_id) == (at, officer.pk)
        assert p.updated_at > before[p.pk]  # the sync stream sees the verification
    assert not Person.objects.filter(pk__in=theirs, verified_at=at).exists()


def test_update_reports_only_changed_fields_so_old_flaws_do_not_block(officer, station_a) -> None:
    flawed = Person.objects.filter(station=station_a, deleted=False).exclude(phone="").order_by("id")
    person = next(p for p in flawed if len(p.phone) == 10)  # the demo's bad phone at the persona station
    services.person_update(user=officer, person=person, name="改个名字")  # the old bad phone does not block
    services.person_update(user=officer, person=person, phone=person.phone)  # unchanged: not re-validated
    with pytest.raises(ValidationError) as error:
        services.person_update(user=officer, person=person, phone="12345")
    assert "phone" in error.value.message_dict


def test_a_region_user_must_place_a_person(province_admin) -> None:
    with pytest.raises(ValidationError) as error:
        services.person_create(user=province_admin, national_id=fresh_national_id(), name="无址")
    assert "address" in error.value.message_dict


def test_renaming_an_address_renames_its_subtree(officer, station_a) -> None:
    road = Address.objects.filter(station=station_a, level=AddressLevel.ROAD).order_by("id").first()
    below = list(Address.objects.filter(code__startswith=road.code).exclude(pk=road.pk).values_list("pk", flat=True))
    assert below
    services.address_update(user=officer, address=road, name="东港西路")
    road.refresh_from_db()
    assert road.full_text.endswith("东港西路") and road.pinyin.endswith("dong gang xi lu")
    for a in Address.objects.filter(pk__in=below):
        assert a.full_text.startswith(road.full_text) and a.pinyin.startswith(road.pinyin), a.full_text


def test_an_address_in_use_cannot_be_deleted(officer, room_a) -> None:
    with pytest.raises(ValidationError):
        services.address_delete(user=officer, address=room_a.parent)


def test_tolerant_matching_finds_typos_and_homophones(officer, officer_b, station_a) -> None:
    road = Address.objects.filter(station=station_a, level=AddressLevel.ROAD, name__endswith="路").order_by("id").first()
    number = Address.objects.filter(parent=road).order_by("id").first()
    # One character replaced by one that sounds the same (e.g. 岗 → 港), and the county prefix left out.
    typed = road.parent.name + road.name + number.name  # the village, road and number; no county, no township
    first = typed.index(road.name[0])
    homophones = {"东": "冬", "岗": "港", "张": "章", "路": "露", "庆": "青", "酒": "久", "民": "敏", "白": "百"}
    wrong_char = next(ch for ch in road.name if ch in homophones)
    sounding = typed.replace(wrong_char, homophones[wrong_char], 1)
    assert sounding != typed and to_pinyin(sounding) == to_pinyin(typed)
    suggestions = suggest_addresses(user=officer, text=sounding)
    assert number.pk in [s.address.pk for s in suggestions[:3]], [s.address.full_text for s in suggestions]
    # A character dropped.
    dropped = typed[:first] + typed[first + 1:]
    assert number.pk in [s.address.pk for s in suggest_addresses(user=officer, text=dropped)]
    # Never outside the jurisdiction.
    assert number.pk not in [s.address.pk for s in suggest_addresses(user=officer_b, text=sounding)]


def test_duplicates_are_found_set_based_and_merged_by_a_human(officer, station_a, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(8):
        services.duplicates_find(station_ids=[station_a.pk])
    pairs = DuplicateCandidate.objects.filter(station=station_a, status=DuplicateStatus.OPEN)
    person_pair = pairs.filter(kind=RecordKind.PERSONS, reason="same_name_birth_date").first()
    assert person_pair is not None, "the demo's persona station has look-alike persons"
    assert pairs.filter(kind=RecordKind.UNITS).exists()
    assert services.duplicates_find(station_ids=[station_a.pk]) == 0  # queued once only
    a, b = Person.objects.get(pk=person_pair.record_a), Person.objects.get(pk=person_pair.record_b)
    assert a.name == b.name and a.birth_date == b.birth_date and a.national_id != b.national_id
    residences_b = Residence.objects.filter(person=b).count()
    kept = services.duplicate_merge(user=officer, candidate=person_pair, keep=a.pk, at=timezone.now())
    assert kept.pk == a.pk
    b.refresh_from_db()
    assert b.deleted and Residence.objects.filter(person=a).count() >= residences_b
    person_pair.refresh_from_db()
    assert (person_pair.status, person_pair.decided_by_id) == (DuplicateStatus.MERGED, officer.pk)
    with pytest.raises(DuplicateCandidate.DoesNotExist):  # decided: no second decision
        services.duplicate_dismiss(user=officer, candidate=person_pair)


def test_dismissing_keeps_both_records(officer, station_a, officer_b) -> None:
    services.duplicates_find(station_ids=[station_a.pk])
    pair = DuplicateCandidate.objects.filter(station=station_a, status=DuplicateStatus.OPEN).first()
    with pytest.raises(DuplicateCandidate.DoesNotExist):
        services.duplicate_dismiss(user=officer_b, candidate=pair)  # outside officer_b's jurisdiction
    services.duplicate_dismiss(user=officer, candidate=pair)
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED


def test_houses_at_sound_alike_sibling_addresses_are_queued(officer, station_a) -> None:
    number = Address.objects.filter(station=station_a, level=AddressLevel.NUMBER).order_by("id").first()
    one = services.address_create(user=officer, parent=number, level=AddressLevel.BUILDING, name="东岗楼")
    two = services.address_create(user=officer, parent=number, level=AddressLevel.BUILDING, name="东港楼")
    h1 = services.house_create(user=officer, address=one)
    h2 = services.house_create(user=officer, address=two)
    services.duplicates_find(station_ids=[station_a.pk])
    assert DuplicateCandidate.objects.filter(
        kind=RecordKind.HOUSES, record_a=min(h1.pk, h2.pk), record_b=max(h1.pk, h2.pk), reason="address_sounds_alike"
    ).exists()
    assert House.objects.filter(pk__in=[h1.pk, h2.pk], deleted=False).count() == 2  # queued, not merged


def test_birth_date_and_gender_come_from_the_id(officer, room_a) -> None:
    number = fresh_national_id(male=False, born=dt.date(1988, 8, 8))
    person = services.person_create(user=officer, national_id=number, name="录一次", address=room_a)
    assert (person.gender, person.birth_date, person.station_id) == ("F", dt.date(1988, 8, 8), room_a.station_id)
