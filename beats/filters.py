"""One FilterSet per model, shared by the list pages and the API. Choices of officers, beats,
communities and household heads offer (and accept) only the caller's own jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beats.choices import (
    ALL_EIGHT,
    FIRST_FOUR,
    ActivityKind,
    ActivityStatus,
    AreaKind,
    CheckInFlag,
    CheckInReview,
    HeadSource,
)
from beats.models import Beat, CheckIn, Community, HouseholdHead, HouseholdHeadActivity, PoliceRoom
from beats.models.eightnos import status_field
from stations.filters import JurisdictionFilterSet
from stations.models import Officer, Region


def _user(request: HttpRequest | None) -> Any:
    return getattr(request, "user", None)


def _regions(request: HttpRequest | None) -> QuerySet[Region]:
    return Region.objects.for_user(_user(request))


def _officers(request: HttpRequest | None) -> QuerySet[Officer]:
    return Officer.objects.for_user(_user(request))


def _beats(request: HttpRequest | None) -> QuerySet[Beat]:
    return Beat.objects.for_user(_user(request))


def _communities(request: HttpRequest | None) -> QuerySet[Community]:
    return Community.objects.for_user(_user(request))


def _heads(request: HttpRequest | None) -> QuerySet[HouseholdHead]:
    return HouseholdHead.objects.for_user(_user(request))


def officer_filter(field_name: str = "officer", label: Any = None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=_officers, label=label or _("officer"))


def beat_filter(field_name: str = "beat", label: Any = None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=_beats, label=label or _("beat area"))


def community_filter(field_name: str = "community", label: Any = None) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=_communities, label=label or _("community / village")
    )


class BeatFilterSet(JurisdictionFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("name or code"))
    code = django_filters.CharFilter(lookup_expr="startswith", label=_("code starts with"))
    kind = django_filters.ChoiceFilter(choices=AreaKind.choices, label=_("kind"))
    station = JurisdictionFilterSet.station_filter()
    within = django_filters.ModelChoiceFilter(queryset=_regions, method="filter_within", label=_("within region"))
    officer = officer_filter(label=_("dedicated officer"))
    staffed = django_filters.BooleanFilter(field_name="officer", lookup_expr="isnull", exclude=True, label=_("has a dedicated officer"))
    officer_full_time = django_filters.BooleanFilter(label=_("full-time on the beat"))

    class Meta:
        model = Beat
        fields = ["q", "code", "kind", "station", "within", "officer", "staffed", "officer_full_time"]

    def filter_q(self, queryset: QuerySet[Beat], name: str, value: str) -> QuerySet[Beat]:
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_within(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(station__county__path__startswith=value.path)


class PoliceRoomFilterSet(JurisdictionFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("name or code"))
    kind = django_filters.ChoiceFilter(choices=AreaKind.choices, label=_("kind"))
    station = JurisdictionFilterSet.station_filter()
    beat = beat_filter(label=_("beat area served"))
    named = django_filters.BooleanFilter(field_name="named_after", lookup_expr="isnull", exclude=True, label=_("named after an officer"))
    named_after = officer_filter("named_after", _("named after officer"))
    is_active = django_filters.BooleanFilter(label=_("open"))

    class Meta:
        model = PoliceRoom
        fields = ["q", "kind", "station", "beat", "named", "named_after", "is_active"]

    def filter_q(self, queryset: QuerySet[PoliceRoom], name: str, value: str) -> QuerySet[PoliceRoom]:
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


class CheckInFilterSet(JurisdictionFilterSet):
    officer = officer_filter()
    beat = beat_filter()
    station = JurisdictionFilterSet.station_filter()
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte", label=_("from day"))
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte", label=_("until day"))
    inside_beat = django_filters.BooleanFilter(label=_("inside the beat"))
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("flagged"))
    flag = django_filters.ChoiceFilter(choices=CheckInFlag.choices, method="filter_flag", label=_("flag"))
    counts = django_filters.BooleanFilter(label=_("counts toward compliance"))
    review = django_filters.ChoiceFilter(choices=CheckInReview.choices, label=_("review"))

    class Meta:
        model = CheckIn
        fields = ["officer", "beat", "station", "day_from", "day_to", "inside_beat", "flagged", "flag", "counts", "review"]

    def filter_flagged(self, queryset: QuerySet[CheckIn], name: str, value: bool) -> QuerySet[CheckIn]:
        return queryset.exclude(flags=[]) if value else queryset.filter(flags=[])

    def filter_flag(self, queryset: QuerySet[CheckIn], name: str, value: str) -> QuerySet[CheckIn]:
        return queryset.filter(flags__contains=[value])


class CommunityFilterSet(JurisdictionFilterSet):
    HOLDS_CHOICES = (
        ("all_eight", _("holds all eight")),
        ("first_four", _("holds the first four")),
        ("broken", _("has broken one")),
        ("certified", _("certified")),
    )

    q = django_filters.CharFilter(method="filter_q", label=_("name or code"))
    kind = django_filters.ChoiceFilter(choices=AreaKind.choices, label=_("kind"))
    station = JurisdictionFilterSet.station_filter()
    beat = beat_filter()
    year = django_filters.NumberFilter(
        method="filter_noop", label=_("eight-nos year"), min_value=2000, max_value=2100, decimal_places=0
    )
    holds = django_filters.ChoiceFilter(choices=HOLDS_CHOICES, method="filter_holds", label=_("eight nos"))

    class Meta:
        model = Community
        fields = ["q", "kind", "station", "beat", "year", "holds"]

    def filter_q(self, queryset: QuerySet[Community], name: str, value: str) -> QuerySet[Community]:
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_noop(self, queryset: QuerySet[Community], name: str, value: Any) -> QuerySet[Community]:
        return queryset  # the year only qualifies ``holds``

    def filter_holds(self, queryset: QuerySet[Community], name: str, value: str) -> QuerySet[Community]:
        year = self.form.cleaned_data.get("year") or timezone.localdate().year
        prefix = "eight_nos__"
        base = Q(**{f"{prefix}year": int(year)})
        if value == "all_eight":
            cond = base & Q(**{f"{prefix}{status_field(item)}": True for item in ALL_EIGHT})
        elif value == "first_four":
            cond = base & Q(**{f"{prefix}{status_field(item)}": True for item in FIRST_FOUR})
        elif value == "certified":
            cond = base & Q(**{f"{prefix}certified_on__isnull": False})
        else:
            any_broken = Q()
            for item in ALL_EIGHT:
                any_broken |= Q(**{f"{prefix}{status_field(item)}": False})
            cond = base & any_broken
        return queryset.filter(cond).distinct()


class HouseholdHeadFilterSet(JurisdictionFilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))
    national_id = django_filters.CharFilter(label=_("national ID"))
    station = JurisdictionFilterSet.station_filter()
    community = community_filter()
    source = django_filters.ChoiceFilter(choices=HeadSource.choices, label=_("chosen from"))
    is_active = django_filters.BooleanFilter(label=_("active"))
    appointed_from = django_filters.DateFilter(field_name="appointed_on", lookup_expr="gte", label=_("appointed from"))
    appointed_to = django_filters.DateFilter(field_name="appointed_on", lookup_expr="lte", label=_("appointed until"))

    class Meta:
        model = HouseholdHead
        fields = ["q", "national_id", "station", "community", "source", "is_active", "appointed_from", "appointed_to"]


class HouseholdHeadActivityFilterSet(JurisdictionFilterSet):
    head = django_filters.ModelChoiceFilter(queryset=_heads, label=_("household head"))
    station = JurisdictionFilterSet.station_filter()
    community = community_filter("head__community")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("status"))
    occurred_from = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("from day"))
    occurred_to = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("until day"))

    class Meta:
        model = HouseholdHeadActivity
        fields = ["head", "station", "community", "kind", "status", "occurred_from", "occurred_to"]


def parse_month(raw: str | None, default: dt.date) -> dt.date:
    """``YYYY-MM`` → the first day of that month (``default``'s month when missing or malformed)."""
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return default.replace(day=1)
