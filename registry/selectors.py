"""Reads of the registry. Every selector takes the user and applies jurisdiction first; lists for
people hide tombstones (the sync API shows them)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q, QuerySet

from registry.choices import DuplicateStatus, RecordKind
from registry.models import AccessLog, Address, DuplicateCandidate, House, Person, Residence, Unit
from registry.validation import normalise_national_id, normalise_phone, normalise_uscc

_NATIONAL_ID = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
_PHONE = re.compile(r"^\+?[\d\s\-()]{7,20}$")

# Parents up to the township, fetched in the same query as the address (the hierarchy has 7 levels).
LINEAGE = "parent__parent__parent__parent__parent__parent"


def classify_query(q: str) -> str:
    """``national_id``, ``phone`` or ``name``: what an officer typed into the one search box."""
    value = q.strip()
    if _NATIONAL_ID.match(value.replace(" ", "")):
        return "national_id"
    if _PHONE.match(value) and sum(ch.isdigit() for ch in value) >= 7:
        return "phone"
    return "name"


def person_search_q(q: str) -> Q:
    """The filter of the one search box: exact national ID, exact phone, or a name that is similar
    (pg_trgm ``%``, index-backed) or contains the text."""
    kind = classify_query(q)
    if kind == "national_id":
        return Q(national_id=normalise_national_id(q))
    if kind == "phone":
        return Q(phone=normalise_phone(q))
    return Q(name__trigram_similar=q.strip()) | Q(name__icontains=q.strip())


def persons_for(*, user: Any, include_deleted: bool = False) -> QuerySet[Person]:
    qs = Person.objects.for_user(user)
    return qs if include_deleted else qs.filter(deleted=False)


def person_search(*, user: Any, q: str, limit: int = 50) -> tuple[str, list[Person]]:
    """What the search box finds, best first: for a name, by trigram similarity (a fuzzy search has
    no stable keyset order, so it shows the ``limit`` best matches)."""
    kind = classify_query(q)
    qs = persons_for(user=user).filter(person_search_q(q)).select_related("address")
    if kind == "name":
        qs = qs.annotate(similarity=TrigramSimilarity("name", q.strip())).order_by("-similarity", "name", "id")
    else:
        qs = qs.order_by("id")
    return kind, list(qs[:limit])


def person_get(*, user: Any, pk: int) -> Person:
    return persons_for(user=user).select_related("address", "station", "verified_by").get(pk=pk)


def residences_of(*, user: Any, person: Person) -> QuerySet[Residence]:
    return (
        Residence.objects.for_user(user)
        .filter(person=person)
        .select_related("house__address")
        .order_by("-start", "-id")
    )


def residents_of(*, user: Any, house: House) -> QuerySet[Residence]:
    return Residence.objects.for_user(user).filter(house=house).select_related("person").order_by("end", "-start", "id")


_NATIONAL_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")


def person_by_national_id(*, user: Any, national_id: str) -> Person | None:
    number = normalise_national_id(national_id)
    if not _NATIONAL_ID_SHAPE.fullmatch(number or ""):  # cannot match (and a NUL would not reach SQL)
        return None
    return persons_for(user=user).select_related("address").filter(national_id=number).first()


def unit_by_uscc(*, user: Any, uscc: str) -> Unit | None:
    code = normalise_uscc(uscc)
    if not _USCC_SHAPE.fullmatch(code or ""):
        return None
    return Unit.objects.for_user(user).filter(deleted=False, uscc=code).select_related("address").first()


def addresses_for(*, user: Any) -> QuerySet[Address]:
    return Address.objects.for_user(user).filter(deleted=False)


def address_get(*, user: Any, pk: int) -> Address:
    return addresses_for(user=user).select_related(LINEAGE, "beat", "station", "county").get(pk=pk)


def address_lineage(address: Address) -> list[Address]:
    """The address and its ancestors, township first (no query if fetched with ``LINEAGE``)."""
    chain: list[Address] = []
    node: Address | None = address
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


def address_children(*, user: Any, parent: Address | None) -> QuerySet[Address]:
    """The next level down (or the top level of the user's jurisdiction), in code order."""
    qs = addresses_for(user=user)
    qs = qs.filter(parent__isnull=True) if parent is None else qs.filter(parent=parent)
    return qs.order_by("code")


def houses_for(*, user: Any) -> QuerySet[House]:
    return House.objects.for_user(user).filter(deleted=False).select_related("address")


def house_get(*, user: Any, pk: int) -> House:
    return houses_for(user=user).select_related("station", "verified_by").get(pk=pk)


def units_for(*, user: Any) -> QuerySet[Unit]:
    return Unit.objects.for_user(user).filter(deleted=False).select_related("address")


def unit_get(*, user: Any, pk: int) -> Unit:
    return units_for(user=user).select_related("station", "verified_by").get(pk=pk)


def access_log_for(*, user: Any) -> QuerySet[AccessLog]:
    return AccessLog.objects.for_user(user).select_related("user", "station", "region").order_by("-id")


def duplicate_queue(*, user: Any, status: str = DuplicateStatus.OPEN) -> QuerySet[DuplicateCandidate]:
    return DuplicateCandidate.objects.for_user(user).filter(status=status).order_by("-score", "id")


_RECORD_MODELS: dict[str, type[Any]] = {RecordKind.PERSONS: Person, RecordKind.HOUSES: House, RecordKind.UNITS: Unit}


def duplicate_records(*, user: Any, candidates: list[DuplicateCandidate]) -> dict[tuple[str, int], Any]:
    """The records of a page of candidates, one query per kind (not per row), in jurisdiction."""
    wanted: dict[str, set[int]] = {}
    for c in candidates:
        wanted.setdefault(c.kind, set()).update((c.record_a, c.record_b))
    found: dict[tuple[str, int], Any] = {}
    for kind, ids in wanted.items():
        model = _RECORD_MODELS.get(kind)
        if model is None:
            continue
        qs = model.objects.for_user(user).filter(pk__in=ids)
        if model is not Person:
            qs = qs.select_related("address")
        for obj in qs:
            found[(kind, obj.pk)] = obj
    return found
