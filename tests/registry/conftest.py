"""Helpers for the registry tests: real national IDs and USCCs with correct check characters, and
records of the tiny demo at the personas' stations."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.test import Client
from stdnum.cn import ric, uscc

from registry.choices import AddressLevel
from registry.models import Address, House, Person, Unit
from stations.models import User

_seq = itertools.count(1)


def national_id(*, region: str = "620102", born: dt.date = dt.date(1990, 5, 17), male: bool = True, seq: int | None = None) -> str:
    """A valid GB 11643 number (check character computed by stdnum), unique per call by default."""
    n = next(_seq) if seq is None else seq
    order = (n % 500) * 2 + (1 if male else 0)
    body = f"{region}{born:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def fresh_national_id(**kwargs: Any) -> str:
    """A valid national ID no person holds yet."""
    while True:
        number = national_id(**kwargs)
        if not Person.objects.filter(national_id=number).exists():
            return number


def make_uscc(org: str = "71092651") -> str:
    """A valid unified social credit code: organisation code with its GB 11714 check, then GB 32100's."""
    total = sum(int(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    body = "91620102" + org + check
    return body + uscc.calc_check_digit(body)


def fresh_uscc() -> str:
    for n in itertools.count(10_000_000 + next(_seq) * 7919):
        code = make_uscc(f"{n % 10**8:08d}")
        if not Unit.objects.filter(uscc=code).exists():
            return code
    raise AssertionError


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def station_a(officer: User) -> Any:
    return officer.home_station


@pytest.fixture
def station_b(officer_b: User) -> Any:
    return officer_b.home_station


@pytest.fixture
def room_a(station_a: Any) -> Address:
    """A dwelling address at officer's station."""
    return Address.objects.filter(station=station_a, deleted=False, level=AddressLevel.ROOM).order_by("id").first() or \
        Address.objects.filter(station=station_a, deleted=False, level=AddressLevel.NUMBER).order_by("id").first()


@pytest.fixture
def free_address_a(station_a: Any) -> Address:
    """A dwelling address at officer's station without a house."""
    return (
        Address.objects.filter(station=station_a, deleted=False, level__in=[AddressLevel.ROOM, AddressLevel.NUMBER])
        .exclude(house__isnull=False).order_by("id").first()
        or Address.objects.create(
            code="999TEST0001", level=AddressLevel.ROOM, county=station_a.county, station=station_a,
            name="999室", full_text="测试地址999室",
        )
    )


@pytest.fixture
def person_a(station_a: Any) -> Person:
    """A person at officer's station without the demo's flaws (valid mobile, linked address)."""
    return (
        Person.objects.filter(station=station_a, deleted=False, phone__regex=r"^1[3-9][0-9]{9}$", address__isnull=False)
        .order_by("id")[10]
    )


@pytest.fixture
def person_b(station_b: Any) -> Person:
    return Person.objects.filter(station=station_b, deleted=False).order_by("id").first()


@pytest.fixture
def house_a(station_a: Any) -> House:
    return House.objects.filter(station=station_a, deleted=False).exclude(owner_national_id="").order_by("id").first()


@pytest.fixture
def unit_a(station_a: Any) -> Unit:
    return Unit.objects.filter(station=station_a, deleted=False).order_by("id").first()
