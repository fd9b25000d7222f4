"""The tiny demo registry the other tests run on: valid, consistent records with a realistic few
percent of flaws, objects of every kind at the personas' stations, floating population with flows."""

from __future__ import annotations

import pytest

from beats.models import HouseholdHead
from registry.choices import KEY_TRADES, AddressLevel, PersonCategory
from registry.models import Address, House, Person, Residence, Unit
from registry.validation import (
    national_id_birth_date,
    national_id_gender,
    validate_national_id,
    validate_phone,
    validate_uscc,
)
from stations.models import Station

pytestmark = pytest.mark.django_db


def test_every_station_has_its_registry(officer) -> None:
    for station in Station.objects.all():
        for model in (Address, House, Person, Unit):
            assert model.objects.filter(station=station).exists(), (model.__name__, station.name)
    kinds = set(Unit.objects.filter(station=officer.home_station).values_list("kind", flat=True))
    assert {k.value for k in KEY_TRADES} <= kinds


def test_persons_are_valid_and_consistent_but_for_a_few_percent() -> None:
    persons = list(Person.objects.all())
    assert 300 <= len(persons) <= 1000
    assert all(len(p.national_id) == 18 for p in persons)  # varchar, stored whole
    bad_id = [p for p in persons if validate_national_id(p.national_id, gender=p.gender, birth_date=p.birth_date)]
    bad_phone = [p for p in persons if validate_phone(p.phone)]
    unlinked = [p for p in persons if p.address_id is None]
    no_phone = [p for p in persons if not p.phone]
    for flawed in (bad_id, bad_phone, unlinked, no_phone):
        assert 0 < len(flawed) < 0.1 * len(persons)
    good = [p for p in persons if p not in bad_id]
    assert all(national_id_birth_date(p.national_id) == p.birth_date for p in good)
    assert all(national_id_gender(p.national_id) == p.gender for p in good)
    gansu = [p for p in good if p.category == PersonCategory.PERMANENT]
    assert sum(p.national_id.startswith("62") for p in gansu) / len(gansu) > 0.95


def test_floating_population_flows_and_residence_history() -> None:
    floating = Person.objects.filter(category=PersonCategory.FLOATING)
    assert floating.exists() and not floating.filter(inflow_date__isnull=True).exists()
    assert floating.exclude(inflow_origin="").count() == floating.count()
    left = floating.filter(outflow_date__isnull=False)
    assert left.exists() and not left.filter(outflow_destination="").exists()
    assert Residence.objects.filter(end__isnull=False).exists()
    assert Residence.objects.count() >= Person.objects.filter(address__isnull=False).count() * 0.9


def test_addresses_form_a_hierarchy_with_beats() -> None:
    room = Address.objects.filter(level=AddressLevel.ROOM).select_related("parent__parent").first()
    assert room.full_text.startswith(room.parent.full_text) and room.code.startswith(room.parent.code)
    assert Address.objects.filter(level=AddressLevel.TOWNSHIP, parent__isnull=True).exists()
    assert Address.objects.filter(beat__isnull=False).exists()
    assert all(validate_uscc(u) == [] for u in Unit.objects.values_list("uscc", flat=True))


def test_household_heads_are_registry_persons() -> None:
    heads = set(HouseholdHead.objects.values_list("national_id", flat=True))
    assert heads and heads <= set(Person.objects.values_list("national_id", flat=True))
