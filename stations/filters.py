"""One FilterSet per model, used by the list pages and the API alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from stations.choices import DeniedOutcome, OfficerKind, RegionLevel, StationKind
from stations.models import DeniedAccess, Officer, Region, Station


def _scoped_stations(request: HttpRequest | None) -> QuerySet[Station]:
    return Station.objects.for_user(getattr(request, "user", None))


def _scoped_regions(request: HttpRequest | None) -> QuerySet[Region]:
    return Region.objects.for_user(getattr(request, "user", None))


# PostgreSQL stores offsets up to 15:59; Python accepts up to 23:59.
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)


class _StorableDatesForm(forms.Form):
    """Refuses a date-time (or either end of a range) with an offset the database cannot compare
    with, so ``?updated_after=…-22:53`` is a clear 400 rather than a database error."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            ends = (value.start, value.stop) if isinstance(value, slice) else (value,)
            offsets = [end.utcoffset() for end in ends if isinstance(end, dt.datetime)]
            if any(offset is not None and abs(offset) > MAX_UTC_OFFSET for offset in offsets):
                self.add_error(name, _("Enter a time zone offset between -15:59 and +15:59."))
        return cleaned


class JurisdictionFilterSet(django_filters.FilterSet):
    """Base for every app's FilterSets: choice filters over stations and regions offer (and accept)
    only the caller's own jurisdiction, so a filter never tells whether an outside object exists.
    Date-times with offsets the database cannot handle are refused with a clear message."""

    def get_form_class(self) -> type[forms.Form]:
        form = super().get_form_class()
        return type(form.__name__, (_StorableDatesForm, form), {})

    @staticmethod
    def station_filter(field_name: str = "station", label: str | None = None) -> django_filters.ModelChoiceFilter:
        return django_filters.ModelChoiceFilter(
            field_name=field_name, queryset=_scoped_stations, label=label or _("station")
        )

    @staticmethod
    def region_filter(field_name: str, label: str | None = None) -> django_filters.ModelChoiceFilter:
        return django_filters.ModelChoiceFilter(field_name=field_name, queryset=_scoped_regions, label=label or _("region"))


class RegionFilterSet(JurisdictionFilterSet):
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("code starts with"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("level"))
    parent = JurisdictionFilterSet.region_filter("parent", _("parent"))

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class StationFilterSet(JurisdictionFilterSet):
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("code starts with"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))
    kind = django_filters.ChoiceFilter(choices=StationKind.choices, label=_("kind"))
    county = JurisdictionFilterSet.region_filter("county", _("county"))
    within = django_filters.ModelChoiceFilter(
        queryset=_scoped_regions, method="filter_within", label=_("within region")
    )
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Station
        fields = ["code", "name", "kind", "county", "within", "is_active"]

    def filter_within(self, queryset: QuerySet[Station], name: str, value: Region) -> QuerySet[Station]:
        return queryset.filter(county__path__startswith=value.path)


class OfficerFilterSet(JurisdictionFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("name or badge"))
    badge_number = django_filters.CharFilter(label=_("badge number"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("name"))
    kind = django_filters.ChoiceFilter(choices=OfficerKind.choices, label=_("kind"))
    rank = django_filters.CharFilter(lookup_expr="icontains", label=_("rank"))
    phone = django_filters.CharFilter(label=_("phone"))
    station = JurisdictionFilterSet.station_filter()
    region = JurisdictionFilterSet.region_filter("region", _("posting region"))
    in_station = django_filters.BooleanFilter(field_name="station", lookup_expr="isnull", exclude=True, label=_("posted in a station"))
    has_terminal = django_filters.BooleanFilter(method="filter_has_terminal", label=_("has a mobile terminal"))
    terminal_number = django_filters.CharFilter(label=_("mobile police terminal"))
    is_active = django_filters.BooleanFilter(label=_("in service"))

    class Meta:
        model = Officer
        fields = [
            "q", "badge_number", "name", "kind", "rank", "phone", "station", "region",
            "in_station", "has_terminal", "terminal_number", "is_active",
        ]

    def filter_q(self, queryset: QuerySet[Officer], name: str, value: str) -> QuerySet[Officer]:
        return queryset.filter(Q(name__icontains=value) | Q(badge_number__startswith=value))

    def filter_has_terminal(self, queryset: QuerySet[Officer], name: str, value: bool) -> QuerySet[Officer]:
        return queryset.exclude(terminal_number="") if value else queryset.filter(terminal_number="")


class DeniedAccessFilterSet(django_filters.FilterSet):
    """The auditor's search of denied attempts: by user name, outcome, model and day."""

    username = django_filters.CharFilter(field_name="user__username", label=_("User name"))
    outcome = django_filters.ChoiceFilter(choices=DeniedOutcome.choices, label=_("Outcome"))
    model = django_filters.CharFilter(label=_("Model"), help_text=_("e.g. registry.person"))
    on = django_filters.DateFilter(field_name="at", lookup_expr="date", label=_("On"))

    class Meta:
        model = DeniedAccess
        fields = ["username", "outcome", "model", "on"]
