"""The one FilterSet of disputes, used by the list page and the API alike."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from disputes.choices import (
    OPEN_STATES,
    DisputeKind,
    DisputeState,
    FoundBy,
    ReporterKind,
    RiskLevel,
    SentimentCategory,
    SentimentState,
    Urgency,
    VisitPurpose,
)
from disputes.models import Dispute, Party, SentimentReport, Visit
from stations.filters import JurisdictionFilterSet
from stations.jurisdiction import scope


def _scoped(model_path: str) -> Any:
    def queryset(request: HttpRequest | None) -> QuerySet[Any]:
        from django.apps import apps

        model = apps.get_model(model_path)
        return scope(model._default_manager.all(), getattr(request, "user", None))

    return queryset


class _DateInput(forms.DateInput):
    input_type = "date"


class DisputeFilterSet(JurisdictionFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("summary or party"))
    station = JurisdictionFilterSet.station_filter()
    beat = django_filters.ModelChoiceFilter(queryset=_scoped("beats.Beat"), label=_("beat area"))
    community = django_filters.ModelChoiceFilter(
        queryset=_scoped("beats.Community"), label=_("community / village")
    )
    kind = django_filters.ChoiceFilter(choices=DisputeKind.choices, label=_("kind"))
    found_by = django_filters.ChoiceFilter(choices=FoundBy.choices, label=_("how found"))
    risk = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("risk level"))
    state = django_filters.ChoiceFilter(choices=DisputeState.choices, label=_("state"))
    is_open = django_filters.BooleanFilter(method="filter_is_open", label=_("open"))
    officer = django_filters.ModelChoiceFilter(
        queryset=_scoped("stations.Officer"), label=_("responsible officer")
    )
    found_after = django_filters.DateFilter(
        field_name="found_on", lookup_expr="gte", label=_("found from"), widget=_DateInput
    )
    found_before = django_filters.DateFilter(
        field_name="found_on", lookup_expr="lte", label=_("found until"), widget=_DateInput
    )
    reported_after = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="gte", label=_("reported from")
    )
    reported_before = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="lte", label=_("reported until")
    )
    closed_after = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label=_("closed from")
    )
    closed_before = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="lte", label=_("closed until")
    )
    person = django_filters.ModelChoiceFilter(
        field_name="parties__person",
        queryset=_scoped("registry.Person"),
        label=_("registry person"),
        distinct=True,
    )

    class Meta:
        model = Dispute
        fields = [
            "q",
            "station",
            "beat",
            "community",
            "kind",
            "found_by",
            "risk",
            "state",
            "is_open",
            "officer",
            "found_after",
            "found_before",
            "reported_after",
            "reported_before",
            "closed_after",
            "closed_before",
            "person",
        ]

    def filter_q(self, queryset: QuerySet[Dispute], name: str, value: str) -> QuerySet[Dispute]:
        parties = Party.objects.filter(name__icontains=value).values("dispute_id")
        return queryset.filter(Q(title__icontains=value) | Q(pk__in=parties))

    def filter_is_open(self, queryset: QuerySet[Dispute], name: str, value: bool) -> QuerySet[Dispute]:
        condition = Q(state__in=list(OPEN_STATES))
        return queryset.filter(condition) if value else queryset.exclude(condition)


class VisitFilterSet(JurisdictionFilterSet):
    """Visits: by place, officer, household head, purpose, dates, and whether they opened a dispute."""

    q = django_filters.CharFilter(method="filter_q", label=_("address, unit or who was met"))
    station = JurisdictionFilterSet.station_filter()
    beat = django_filters.ModelChoiceFilter(queryset=_scoped("beats.Beat"), label=_("beat area"))
    officer = django_filters.ModelChoiceFilter(queryset=_scoped("stations.Officer"), label=_("officer"))
    household_head = django_filters.ModelChoiceFilter(
        queryset=_scoped("beats.HouseholdHead"), label=_("household head")
    )
    house = django_filters.ModelChoiceFilter(queryset=_scoped("registry.House"), label=_("house"))
    unit = django_filters.ModelChoiceFilter(queryset=_scoped("registry.Unit"), label=_("unit"))
    purpose = django_filters.ChoiceFilter(choices=VisitPurpose.choices, label=_("purpose"))
    visited_after = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="gte", label=_("visited from"), widget=_DateInput
    )
    visited_before = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="lte", label=_("visited until"), widget=_DateInput
    )
    opened_dispute = django_filters.BooleanFilter(
        field_name="dispute", lookup_expr="isnull", exclude=True, label=_("opened a dispute")
    )
    person = django_filters.ModelChoiceFilter(
        field_name="persons__person",
        queryset=_scoped("registry.Person"),
        label=_("registry person"),
        distinct=True,
    )

    class Meta:
        model = Visit
        fields = [
            "q",
            "station",
            "beat",
            "officer",
            "household_head",
            "house",
            "unit",
            "purpose",
            "visited_after",
            "visited_before",
            "opened_dispute",
            "person",
        ]

    def filter_q(self, queryset: QuerySet[Visit], name: str, value: str) -> QuerySet[Visit]:
        return queryset.filter(
            Q(house__address__full_text__icontains=value)
            | Q(unit__name__icontains=value)
            | Q(met__icontains=value)
        )


class SentimentReportFilterSet(JurisdictionFilterSet):
    """Sentiment reports: by text, place, category, urgency, state, reporter and date."""

    q = django_filters.CharFilter(method="filter_q", label=_("summary, place or people"))
    station = JurisdictionFilterSet.station_filter()
    beat = django_filters.ModelChoiceFilter(queryset=_scoped("beats.Beat"), label=_("beat area"))
    community = django_filters.ModelChoiceFilter(
        queryset=_scoped("beats.Community"), label=_("community / village")
    )
    category = django_filters.ChoiceFilter(choices=SentimentCategory.choices, label=_("category"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("urgency"))
    state = django_filters.ChoiceFilter(choices=SentimentState.choices, label=_("state"))
    is_open = django_filters.BooleanFilter(method="filter_is_open", label=_("open"))
    reporter_kind = django_filters.ChoiceFilter(choices=ReporterKind.choices, label=_("reported by"))
    officer = django_filters.ModelChoiceFilter(queryset=_scoped("stations.Officer"), label=_("officer"))
    household_head = django_filters.ModelChoiceFilter(
        queryset=_scoped("beats.HouseholdHead"), label=_("household head")
    )
    reported_after = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="gte", label=_("reported from"), widget=_DateInput
    )
    reported_before = django_filters.DateFilter(
        field_name="reported_on", lookup_expr="lte", label=_("reported until"), widget=_DateInput
    )

    class Meta:
        model = SentimentReport
        fields = [
            "q",
            "station",
            "beat",
            "community",
            "category",
            "urgency",
            "state",
            "is_open",
            "reporter_kind",
            "officer",
            "household_head",
            "reported_after",
            "reported_before",
        ]

    def filter_q(
        self, queryset: QuerySet[SentimentReport], name: str, value: str
    ) -> QuerySet[SentimentReport]:
        return queryset.filter(
            Q(title__icontains=value) | Q(place__icontains=value) | Q(people__icontains=value)
        )

    def filter_is_open(
        self, queryset: QuerySet[SentimentReport], name: str, value: bool
    ) -> QuerySet[SentimentReport]:
        closed = Q(state=SentimentState.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)
