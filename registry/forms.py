"""Forms of the registry pages. They parse and validate (with ``registry.validation``, the same
rules as the importer and the API); the views hand ``service_kwargs()`` to ``registry.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from beats.models import Beat
from registry import validation
from registry.choices import AddressLevel, Gender, HouseUse, PersonCategory, UnitKind
from registry.models import Address
from stations.forms import bootstrap_form

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _RegistryForm(forms.Form):
    """Bootstrap look, and ``add_problems`` to show validation problems on their fields."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def add_problems(self, problems: list[validation.Problem]) -> None:
        for field, reason in problems:
            self.add_error(field if field in self.fields else None, reason)

    def add_service_error(self, error: Any) -> None:
        """A ``ValidationError`` raised by a service, onto the form's fields."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                target = field if field in self.fields else None
                for message in errors:
                    self.add_error(target, message)
        else:
            for message in error.messages:
                self.add_error(None, message)


def _address_field(user: Any, *, required: bool) -> forms.ModelChoiceField:
    # Chosen through the tolerant-matching suggestions (registry.js), held as an id.
    return forms.ModelChoiceField(
        queryset=Address.objects.for_user(user).filter(deleted=False),
        required=required, widget=forms.HiddenInput, label=_("standard address"),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("National ID, name or phone"), required=False, max_length=60)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, max_length=200,
        help_text=_("Why you look these persons up; kept in the access log."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
        self.fields["q"].widget.attrs.update({"autofocus": True, "inputmode": "search", "autocomplete": "off"})


class PersonForm(_RegistryForm):
    national_id = forms.CharField(label=_("national ID"), max_length=18)
    name = forms.CharField(label=_("name"), max_length=50)
    gender = forms.ChoiceField(label=_("gender"), choices=[("", _("(from the national ID)")), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=_DATE,
                                 help_text=_("Left blank, it is taken from the national ID."))
    ethnicity = forms.CharField(label=_("ethnicity"), max_length=20, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    hukou_place = forms.CharField(label=_("household-registration place"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("category"), choices=PersonCategory.choices, initial=PersonCategory.PERMANENT)
    inflow_date = forms.DateField(label=_("inflow date"), required=False, widget=_DATE)
    inflow_origin = forms.CharField(label=_("came from"), max_length=200, required=False)
    outflow_date = forms.DateField(label=_("outflow date"), required=False, widget=_DATE)
    outflow_destination = forms.CharField(label=_("left for"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any = None, hide_identifiers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["address"] = _address_field(user, required=False)
        self.hide_identifiers = hide_identifiers
        if hide_identifiers:  # a masked reader edits everything but what they may not see
            del self.fields["national_id"]
            del self.fields["phone"]
        else:
            self.fields["national_id"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        row = {k: v for k, v in data.items() if k != "address" and v not in (None, "")}
        if self.hide_identifiers:
            problems = [p for p in validation.validate_person({"national_id": self.initial.get("national_id"), **row}) if p.field not in ("national_id",)]
        else:
            problems = validation.validate_person(row)
        self.add_problems([p for p in problems if p.field not in self.errors])
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("gender", "ethnicity", "phone", "hukou_place", "inflow_origin", "outflow_destination"):
            if key in data and data[key] is None:
                data[key] = ""
        return data


class AddressForm(_RegistryForm):
    level = forms.ChoiceField(label=_("level"), choices=AddressLevel.choices)
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("This level's own part, e.g. '3号楼'."))
    beat = forms.ModelChoiceField(label=_("beat area"), queryset=Beat.objects.none(), required=False)
    latitude = forms.DecimalField(label=_("latitude"), max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False, min_value=-180, max_value=180)

    def __init__(self, *args: Any, user: Any = None, parent: Address | None = None, station_id: int | None = None,
                 editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        beats = Beat.objects.for_user(user)
        if station_id is not None:
            beats = beats.filter(station_id=station_id)
        self.fields["beat"].queryset = beats.order_by("code")
        if editing:
            del self.fields["level"]
        elif parent is None:
            self.fields["level"].choices = [(AddressLevel.TOWNSHIP.value, AddressLevel.TOWNSHIP.label)]
        else:
            below = [v for v in AddressLevel if list(AddressLevel).index(v) > list(AddressLevel).index(AddressLevel(parent.level))]
            self.fields["level"].choices = [(v.value, v.label) for v in below]


class HouseForm(_RegistryForm):
    use = forms.ChoiceField(label=_("use"), choices=HouseUse.choices, initial=HouseUse.RESIDENCE)
    owner_national_id = forms.CharField(label=_("owner's national ID"), max_length=18, required=False)
    owner_name = forms.CharField(label=_("owner"), max_length=50, required=False)
    owner_phone = forms.CharField(label=_("owner's phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    is_rented = forms.BooleanField(label=_("rented out"), required=False)
    area_m2 = forms.DecimalField(label=_("area (m²)"), max_digits=8, decimal_places=1, required=False, min_value=0)

    def __init__(self, *args: Any, user: Any = None, hide_identifiers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["address"] = _address_field(user, required=True)
        self.hide_identifiers = hide_identifiers
        if hide_identifiers:
            del self.fields["owner_national_id"]
            del self.fields["owner_phone"]
        else:
            # Enter once: typing the owner's national ID fills the owner from the registry (registry.js).
            self.fields["owner_national_id"].widget.attrs.update({
                "data-lookup-url": reverse_lazy("registry-lookup-person"),
                "data-lookup-param": "national_id",
                "data-fill": '{"name": "id_owner_name", "phone": "id_owner_phone"}',
                "autocomplete": "off",
            })

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        row = {k: v for k, v in data.items() if k != "address" and v not in (None, "")}
        self.add_problems([p for p in validation.validate_house(row) if p.field not in self.errors])
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class UnitForm(_RegistryForm):
    name = forms.CharField(label=_("name"), max_length=200)
    uscc = forms.CharField(label=_("unified social credit code"), max_length=18)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices, initial=UnitKind.OTHER)
    legal_rep_name = forms.CharField(label=_("legal representative"), max_length=50, required=False)
    legal_rep_national_id = forms.CharField(label=_("legal representative's national ID"), max_length=18, required=False)
    security_contact = forms.CharField(label=_("security contact"), max_length=50, required=False)
    security_phone = forms.CharField(label=_("security contact's phone"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "tel"}))
    staff_count = forms.IntegerField(label=_("staff"), min_value=0, required=False)

    TRADE_LABELS = {
        "rooms": _("rooms"), "beds": _("beds"), "special_trade_licence": _("special-trade licence"),
        "seats": _("seats"), "culture_licence": _("culture-business licence"),
        "minors_policy_posted": _("no-minors notice posted"), "express_licence": _("express-delivery licence"),
        "vehicles": _("vehicles"), "xray_machine": _("parcel X-ray machine"), "max_capacity": _("maximum capacity"),
    }

    def __init__(self, *args: Any, user: Any = None, kind: str | None = None, hide_identifiers: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["address"] = _address_field(user, required=False)
        self.hide_identifiers = hide_identifiers
        if hide_identifiers:
            del self.fields["legal_rep_national_id"]
            del self.fields["security_phone"]
        else:
            self.fields["legal_rep_national_id"].widget.attrs.update({
                "data-lookup-url": reverse_lazy("registry-lookup-person"),
                "data-lookup-param": "national_id",
                "data-fill": '{"name": "id_legal_rep_name"}',
                "autocomplete": "off",
            })
        self.fields["uscc"].widget.attrs.update({
            "data-lookup-url": reverse_lazy("registry-lookup-unit"), "data-lookup-param": "uscc",
            "data-lookup-warn": "exists", "autocomplete": "off",
        })
        # Short, dependent choices: the kind decides which trade fields are asked (htmx swaps them).
        self.fields["kind"].widget.attrs.update({
            "hx-get": reverse_lazy("registry:unit_trade_fields"), "hx-target": "#trade-fields",
            "hx-trigger": "change", "hx-swap": "innerHTML",
        })
        self.kind = kind or self.data.get("kind") or self.initial.get("kind") or UnitKind.OTHER
        if self.kind not in UnitKind.values:
            self.kind = UnitKind.OTHER
        for name, kind_of in validation.TRADE_FIELDS[UnitKind(self.kind)]:
            label = self.TRADE_LABELS.get(name, name)
            if kind_of is int:
                field: forms.Field = forms.IntegerField(label=label, min_value=0, required=False)
            elif kind_of is bool:
                field = forms.BooleanField(label=label, required=False)
            else:
                field = forms.CharField(label=label, max_length=100, required=False)
            self.fields[f"trade_{name}"] = field
        bootstrap_form(self)

    def trade_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("trade_")]

    def unit_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("trade_") and name != "address"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        row = {k: v for k, v in data.items() if not k.startswith("trade_") and k != "address" and v not in (None, "")}
        self.add_problems([p for p in validation.validate_unit(row) if p.field not in self.errors])
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("trade_")}
        data["trade_details"] = {
            k[len("trade_"):]: v for k, v in self.cleaned_data.items() if k.startswith("trade_") and v not in (None, "")
        }
        return data


class DuplicateDecisionForm(forms.Form):
    keep = forms.IntegerField(widget=forms.HiddenInput)
