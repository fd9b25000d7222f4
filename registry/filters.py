"""One FilterSet per registry model, used by the list pages and the sync API alike.

Foreign-key filters offer (and accept) only the caller's jurisdiction (``JurisdictionFilterSet``).
Personal identifiers are filtered by *exact* value only (national ID, phone): a prefix filter would
let a masked caller read a masked ID digit by digit.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from beats.models import Beat
from registry.choices import (
    KEY_TRADES,
    AddressLevel,
    DuplicateStatus,
    Gender,
    HouseUse,
    PersonCategory,
    RecordKind,
    UnitKind,
)
from registry.models import AccessLog, Address, DuplicateCandidate, House, Person, Unit
from registry.validation import normalise_national_id, normalise_phone, normalise_uscc
from stations.filters import JurisdictionFilterSet


def _scoped(model: Any) -> Any:
    def queryset(request: HttpRequest | None) -> QuerySet[Any]:
        return model.objects.for_user(getattr(request, "user", None))

    return queryset


def _scoped_addresses(request: HttpRequest | None) -> QuerySet[Address]:
    return Address.objects.for_user(getattr(request, "user", None)).filter(deleted=False)


def _address_filter(field_name: str = "address", label: Any = None) -> django_filters.ModelChoiceFilter:
    # A number input, not a <select> of millions of addresses; the id must still be in scope.
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=_scoped_addresses, label=label or _("address"),
        widget=forms.NumberInput,
    )


class SyncedRecordFilterSet(JurisdictionFilterSet):
    """Filters every registry record has: station, tombstones, verification, import."""

    station = JurisdictionFilterSet.station_filter()
    deleted = django_filters.BooleanFilter(label=_("deleted (tombstone)"))
    verified = django_filters.BooleanFilter(field_name="verified_at", lookup_expr="isnull", exclude=True, label=_("verified"))
    verified_before = django_filters.IsoDateTimeFilter(field_name="verified_at", lookup_expr="lt", label=_("last verified before"))
    verified_after = django_filters.IsoDateTimeFilter(field_name="verified_at", lookup_expr="gte", label=_("last verified at or after"))
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("created at or after"))
    import_job = django_filters.NumberFilter(field_name="import_job", label=_("import"))


class AddressFilterSet(SyncedRecordFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("address text (tolerant)"))
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("code starts with"))
    level = django_filters.ChoiceFilter(choices=AddressLevel.choices, label=_("level"))
    parent = _address_filter("parent", _("parent"))
    top_level = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label=_("top level"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))
    full_text = django_filters.CharFilter(lookup_expr="icontains", label=_("full address contains"))
    pinyin = django_filters.CharFilter(lookup_expr="icontains", label=_("pinyin contains"))
    county = JurisdictionFilterSet.region_filter("county", _("county"))
    beat = django_filters.ModelChoiceFilter(queryset=_scoped(Beat), label=_("beat area"))
    has_beat = django_filters.BooleanFilter(field_name="beat", lookup_expr="isnull", exclude=True, label=_("has a beat area"))
    has_coordinates = django_filters.BooleanFilter(field_name="latitude", lookup_expr="isnull", exclude=True, label=_("has coordinates"))

    class Meta:
        model = Address
        fields = [
            "q", "code", "level", "parent", "top_level", "name", "full_text", "pinyin", "county", "beat", "has_beat",
            "has_coordinates", "station", "deleted", "verified", "verified_before", "verified_after", "created_after",
            "import_job",
        ]

    def filter_q(self, queryset: QuerySet[Address], name: str, value: str) -> QuerySet[Address]:
        from registry.matching import address_text_q

        return queryset.filter(address_text_q(value))


class PersonFilterSet(SyncedRecordFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("national ID, phone or name"))
    national_id = django_filters.CharFilter(method="filter_national_id", label=_("national ID"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    name_similar = django_filters.CharFilter(field_name="name", lookup_expr="trigram_similar", label=_("name sounds like"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("gender"))
    birth_date = django_filters.DateFromToRangeFilter(label=_("birth date"))
    ethnicity = django_filters.CharFilter(label=_("ethnicity"))
    phone = django_filters.CharFilter(method="filter_phone", label=_("phone"))
    has_phone = django_filters.BooleanFilter(method="filter_has_phone", label=_("has a phone"))
    hukou_place = django_filters.CharFilter(lookup_expr="icontains", label=_("household-registration place contains"))
    address = _address_filter()
    has_address = django_filters.BooleanFilter(field_name="address", lookup_expr="isnull", exclude=True, label=_("linked to a standard address"))
    category = django_filters.ChoiceFilter(choices=PersonCategory.choices, label=_("category"))
    inflow_date = django_filters.DateFromToRangeFilter(label=_("inflow date"))
    inflow_origin = django_filters.CharFilter(lookup_expr="icontains", label=_("came from"))
    outflow_date = django_filters.DateFromToRangeFilter(label=_("outflow date"))
    outflow_destination = django_filters.CharFilter(lookup_expr="icontains", label=_("left for"))
    house = django_filters.NumberFilter(method="filter_house", label=_("lives in house"))

    class Meta:
        model = Person
        fields = [
            "q", "national_id", "name", "name_similar", "gender", "birth_date", "ethnicity", "phone", "has_phone",
            "hukou_place", "address", "has_address", "category", "inflow_date", "inflow_origin", "outflow_date",
            "outflow_destination", "house", "station", "deleted", "verified", "verified_before", "verified_after",
            "created_after", "import_job",
        ]

    def filter_q(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        from registry.selectors import person_search_q

        return queryset.filter(person_search_q(value))

    def filter_national_id(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(national_id=normalise_national_id(value))

    def filter_phone(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return queryset.filter(phone=normalise_phone(value))

    def filter_has_phone(self, queryset: QuerySet[Person], name: str, value: bool) -> QuerySet[Person]:
        return queryset.exclude(phone="") if value else queryset.filter(phone="")

    def filter_house(self, queryset: QuerySet[Person], name: str, value: int) -> QuerySet[Person]:
        return queryset.filter(residences__house_id=value).distinct()


class HouseFilterSet(SyncedRecordFilterSet):
    address = _address_filter()
    use = django_filters.ChoiceFilter(choices=HouseUse.choices, label=_("use"))
    owner_national_id = django_filters.CharFilter(method="filter_owner_national_id", label=_("owner's national ID"))
    owner_name = django_filters.CharFilter(lookup_expr="icontains", label=_("owner contains"))
    owner_phone = django_filters.CharFilter(method="filter_owner_phone", label=_("owner's phone"))
    is_rented = django_filters.BooleanFilter(label=_("rented out"))
    area_m2 = django_filters.RangeFilter(label=_("area (m²)"))
    address_text = django_filters.CharFilter(field_name="address__full_text", lookup_expr="icontains", label=_("address contains"))

    class Meta:
        model = House
        fields = [
            "address", "address_text", "use", "owner_national_id", "owner_name", "owner_phone", "is_rented", "area_m2",
            "station", "deleted", "verified", "verified_before", "verified_after", "created_after", "import_job",
        ]

    def filter_owner_national_id(self, queryset: QuerySet[House], name: str, value: str) -> QuerySet[House]:
        return queryset.filter(owner_national_id=normalise_national_id(value))

    def filter_owner_phone(self, queryset: QuerySet[House], name: str, value: str) -> QuerySet[House]:
        return queryset.filter(owner_phone=normalise_phone(value))


class UnitFilterSet(SyncedRecordFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name contains"))
    uscc = django_filters.CharFilter(method="filter_uscc", label=_("unified social credit code"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("kind"))
    key_venue = django_filters.BooleanFilter(method="filter_key_venue", label=_("key venue"))
    address = _address_filter()
    legal_rep_name = django_filters.CharFilter(lookup_expr="icontains", label=_("legal representative contains"))
    legal_rep_national_id = django_filters.CharFilter(method="filter_legal_rep_national_id", label=_("legal representative's national ID"))
    security_contact = django_filters.CharFilter(lookup_expr="icontains", label=_("security contact contains"))
    security_phone = django_filters.CharFilter(method="filter_security_phone", label=_("security contact's phone"))
    staff_count = django_filters.RangeFilter(label=_("staff"))

    class Meta:
        model = Unit
        fields = [
            "name", "uscc", "kind", "key_venue", "address", "legal_rep_name", "legal_rep_national_id",
            "security_contact", "security_phone", "staff_count", "station", "deleted", "verified", "verified_before",
            "verified_after", "created_after", "import_job",
        ]

    def filter_uscc(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(uscc=normalise_uscc(value))

    def filter_key_venue(self, queryset: QuerySet[Unit], name: str, value: bool) -> QuerySet[Unit]:
        q = Q(kind__in=[k.value for k in KEY_TRADES])
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_legal_rep_national_id(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(legal_rep_national_id=normalise_national_id(value))

    def filter_security_phone(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(security_phone=normalise_phone(value))


class AccessLogFilterSet(JurisdictionFilterSet):
    username = django_filters.CharFilter(field_name="user__username", label=_("user name"))
    person = django_filters.NumberFilter(method="filter_person", label=_("person (id)"))
    national_id = django_filters.CharFilter(method="filter_national_id", label=_("national ID read"))
    action = django_filters.CharFilter(lookup_expr="startswith", label=_("action"))
    purpose = django_filters.CharFilter(lookup_expr="icontains", label=_("purpose contains"))
    path = django_filters.CharFilter(lookup_expr="startswith", label=_("path starts with"))
    at = django_filters.IsoDateTimeFromToRangeFilter(label=_("at"))
    day = django_filters.DateFromToRangeFilter(field_name="at__date", label=_("day"))
    station = JurisdictionFilterSet.station_filter()
    region = JurisdictionFilterSet.region_filter("region", _("user's region"))

    class Meta:
        model = AccessLog
        fields = ["username", "person", "national_id", "action", "purpose", "path", "at", "day", "station", "region"]

    def filter_person(self, queryset: QuerySet[AccessLog], name: str, value: int) -> QuerySet[AccessLog]:
        return queryset.filter(person_ids__contains=[int(value)])

    def filter_national_id(self, queryset: QuerySet[AccessLog], name: str, value: str) -> QuerySet[AccessLog]:
        # The person is looked up without jurisdiction: an auditor traces reads of anyone.
        ids = list(Person.objects.filter(national_id=normalise_national_id(value)).values_list("pk", flat=True))
        return queryset.filter(person_ids__overlap=ids) if ids else queryset.none()


class DuplicateCandidateFilterSet(JurisdictionFilterSet):
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=DuplicateStatus.choices, label=_("status"))
    station = JurisdictionFilterSet.station_filter()

    class Meta:
        model = DuplicateCandidate
        fields = ["kind", "status", "station"]
