"""Serializers of the registry's sync API. Field names clients rely on are in DESIGN.md's contract.

Serializers only parse and present: writes go through ``registry.services`` (which validate and
derive ``station``), and personal identifiers are masked here by the request's
:class:`~registry.masking.MaskingPolicy` (``context["masking"]``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from beats.models import Beat
from registry.masking import MaskingPolicy, mask_national_id, mask_phone
from registry.models import Address, House, Person, Unit
from stations.models import Station


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only live objects in the caller's jurisdiction (else 400 "does
    not exist", the same as a missing id). Written as an id, read as an id with no query."""

    def __init__(self, model: Any, *, live_only: bool = True, **kwargs: Any) -> None:
        self.model = model
        self.live_only = live_only
        kwargs.setdefault("queryset", model.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        qs = self.model.objects.for_user(getattr(request, "user", None))
        return qs.filter(deleted=False) if self.live_only else qs


class MaskedSerializerMixin:
    """Masks the ``masked_fields`` (national IDs with ``mask_national_id``, phones with
    ``mask_phone``) unless the policy unmasks the record's station, and notes what it revealed."""

    context: dict[str, Any]
    id_fields: tuple[str, ...] = ()
    phone_fields: tuple[str, ...] = ()
    person_record = False

    def get_masked(self, instance: Any) -> bool:
        return True  # set for real by _masking

    def _masking(self, instance: Any, data: dict[str, Any]) -> dict[str, Any]:
        policy: MaskingPolicy | None = self.context.get("masking")
        if policy is not None and policy.unmasked(instance.station_id):
            if self.person_record:
                policy.reveal([instance.pk])
            else:
                policy.reveal_national_ids(data[f] for f in self.id_fields if data.get(f))
            data["masked"] = False
            return data
        for name in self.id_fields:
            data[name] = mask_national_id(data.get(name))
        for name in self.phone_fields:
            data[name] = mask_phone(data.get(name))
        data["masked"] = True
        return data


class PersonSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    id_fields = ("national_id",)
    phone_fields = ("phone",)
    person_record = True

    address = ScopedPrimaryKeyField(Address, allow_null=True, required=False)
    masked = serializers.SerializerMethodField(help_text="True when national_id and phone are masked for you.")

    class Meta:
        model = Person
        fields = [
            "id", "national_id", "name", "gender", "birth_date", "ethnicity", "phone", "hukou_place", "category",
            "station", "address", "inflow_date", "inflow_origin", "outflow_date", "outflow_destination",
            "verified_at", "verified_by", "created_at", "updated_at", "deleted", "masked",
        ]
        read_only_fields = ["station", "verified_at", "verified_by", "created_at", "updated_at", "deleted"]
        # Uniqueness (and the revival of tombstones) is the service's: no UniqueValidator here.
        extra_kwargs = {"national_id": {"validators": []}}

    def to_representation(self, instance: Person) -> dict[str, Any]:
        return self._masking(instance, super().to_representation(instance))


def _present_date(value: Any) -> Any:
    return None if value is None else value.isoformat()  # DRF's DateField, ISO 8601


def _present_text(value: Any) -> Any:
    return None if value is None else str(value)


_DATETIME = object()  # presented like DRF's DateTimeField: in the current time zone, ISO 8601, "Z" for UTC

# PersonSerializer's read fields, in its order: (output name, attribute, how DRF presents it).
_PERSON_ROW: tuple[tuple[str, str, Any], ...] = tuple(
    (name, attribute, present)
    for name, attribute, present in (
        ("id", "id", None), ("national_id", "national_id", _present_text), ("name", "name", _present_text),
        ("gender", "gender", _present_text), ("birth_date", "birth_date", _present_date),
        ("ethnicity", "ethnicity", _present_text), ("phone", "phone", _present_text),
        ("hukou_place", "hukou_place", _present_text), ("category", "category", _present_text),
        ("station", "station_id", None), ("address", "address_id", None),
        ("inflow_date", "inflow_date", _present_date), ("inflow_origin", "inflow_origin", _present_text),
        ("outflow_date", "outflow_date", _present_date), ("outflow_destination", "outflow_destination", _present_text),
        ("verified_at", "verified_at", _DATETIME), ("verified_by", "verified_by_id", None),
        ("created_at", "created_at", _DATETIME), ("updated_at", "updated_at", _DATETIME),
        ("deleted", "deleted", None),
    )
)  # fmt: skip
assert [n for n, _a, _p in _PERSON_ROW] + ["masked"] == PersonSerializer.Meta.fields


def _datetime_presenter() -> Any:
    """DRF's ``DateTimeField().to_representation`` for aware values, with the time zone looked up once
    per page instead of once per value (it was a fifth of the list's Python time)."""
    zone = timezone.get_current_timezone()

    def present(value: Any) -> Any:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return present


PERSON_ROW_COLUMNS = tuple(attribute for _name, attribute, _present in _PERSON_ROW)


def person_rows(persons: list[dict[str, Any]], *, masking: MaskingPolicy | None) -> list[dict[str, Any]]:
    """``PersonSerializer(persons, many=True, context={"masking": masking}).data`` for a list page of
    ``Person.objects.values(*PERSON_ROW_COLUMNS)`` rows, without model instances or DRF's per-field
    machinery: the same keys, values, masking and access-log notes."""
    present_datetime = _datetime_presenter()
    fields = [
        (name, attribute, present_datetime if present is _DATETIME else present)
        for name, attribute, present in _PERSON_ROW
    ]
    rows = []
    shown: list[int] = []
    for person in persons:
        data: dict[str, Any] = {}
        for name, attribute, present in fields:
            value = person[attribute]
            data[name] = value if present is None else present(value)
        if masking is not None and masking.unmasked(person["station_id"]):
            shown.append(person["id"])
            data["masked"] = False
        else:
            data["national_id"] = mask_national_id(data["national_id"])
            data["phone"] = mask_phone(data["phone"])
            data["masked"] = True
        rows.append(data)
    if masking is not None and shown:
        masking.reveal(shown)
    return rows


class AddressSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyField(Address, allow_null=True, required=False)
    beat = ScopedPrimaryKeyField(Beat, live_only=False, allow_null=True, required=False)
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True,
        help_text="Read-only except when creating a top-level address (township) from above the stations.",
    )

    class Meta:
        model = Address
        fields = [
            "id", "code", "level", "parent", "name", "full_text", "pinyin", "county", "station", "beat",
            "latitude", "longitude", "verified_at", "verified_by", "created_at", "updated_at", "deleted",
        ]
        read_only_fields = ["full_text", "pinyin", "county", "verified_at", "verified_by", "created_at", "updated_at", "deleted"]
        extra_kwargs = {"code": {"validators": [], "required": False, "allow_blank": True}}

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        fields["station"].queryset = Station.objects.for_user(getattr(request, "user", None))
        if self.instance is not None:  # placement is decided once, at creation
            for name in ("station", "parent", "level", "code"):
                fields[name].read_only = True
        return fields


class HouseSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    id_fields = ("owner_national_id",)
    phone_fields = ("owner_phone",)

    address = ScopedPrimaryKeyField(Address)
    masked = serializers.SerializerMethodField(help_text="True when the personal identifiers are masked for you.")

    class Meta:
        model = House
        fields = [
            "id", "address", "use", "owner_national_id", "owner_name", "owner_phone", "is_rented", "area_m2",
            "station", "verified_at", "verified_by", "created_at", "updated_at", "deleted", "masked",
        ]
        read_only_fields = ["station", "verified_at", "verified_by", "created_at", "updated_at", "deleted"]

    def to_representation(self, instance: House) -> dict[str, Any]:
        return self._masking(instance, super().to_representation(instance))


class UnitSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    id_fields = ("legal_rep_national_id",)
    phone_fields = ("security_phone",)

    address = ScopedPrimaryKeyField(Address, allow_null=True, required=False)
    key_venue = serializers.BooleanField(source="is_key_venue", read_only=True)
    masked = serializers.SerializerMethodField(help_text="True when the personal identifiers are masked for you.")

    class Meta:
        model = Unit
        fields = [
            "id", "name", "uscc", "kind", "key_venue", "address", "legal_rep_name", "legal_rep_national_id",
            "security_contact", "security_phone", "staff_count", "trade_details", "station", "verified_at",
            "verified_by", "created_at", "updated_at", "deleted", "masked",
        ]
        read_only_fields = ["station", "verified_at", "verified_by", "created_at", "updated_at", "deleted"]
        extra_kwargs = {"uscc": {"validators": []}}

    def to_representation(self, instance: Unit) -> dict[str, Any]:
        return self._masking(instance, super().to_representation(instance))


class PersonLookupSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    """What "enter once" fills in from a national ID."""

    id_fields = ("national_id",)
    phone_fields = ("phone",)
    person_record = True

    address_text = serializers.CharField(source="address.full_text", default="", read_only=True)
    masked = serializers.SerializerMethodField(help_text="True when the personal identifiers are masked for you.")

    class Meta:
        model = Person
        fields = ["id", "national_id", "name", "gender", "birth_date", "phone", "category", "address", "address_text", "station", "masked"]
        read_only_fields = fields

    def to_representation(self, instance: Person) -> dict[str, Any]:
        return self._masking(instance, super().to_representation(instance))


class UnitLookupSerializer(MaskedSerializerMixin, serializers.ModelSerializer):
    """What "enter once" fills in from a unified social credit code."""

    id_fields = ("legal_rep_national_id",)
    phone_fields = ("security_phone",)

    address_text = serializers.CharField(source="address.full_text", default="", read_only=True)
    masked = serializers.SerializerMethodField(help_text="True when the personal identifiers are masked for you.")

    class Meta:
        model = Unit
        fields = [
            "id", "uscc", "name", "kind", "address", "address_text", "legal_rep_name", "legal_rep_national_id",
            "security_contact", "security_phone", "station", "masked",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Unit) -> dict[str, Any]:
        return self._masking(instance, super().to_representation(instance))
