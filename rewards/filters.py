"""One FilterSet per model, used by the pages and the API alike."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from rewards.models import Award, AwardBatch, AwardLevel, BatchStatus, EventReward, PointEntry, RewardStatus
from stations.filters import JurisdictionFilterSet


class AwardFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter("station", _("station"))
    issuing_region = JurisdictionFilterSet.region_filter("issuing_region", _("issuing region"))
    level = django_filters.ModelChoiceFilter(queryset=AwardLevel.objects.all(), label=_("level"))
    awarded_from = django_filters.DateFilter(field_name="awarded_on", lookup_expr="gte", label=_("from"))
    awarded_until = django_filters.DateFilter(field_name="awarded_on", lookup_expr="lte", label=_("until"))
    wartime = django_filters.BooleanFilter(label=_("wartime award"))
    individual = django_filters.BooleanFilter(
        field_name="officer", lookup_expr="isnull", exclude=True, label=_("individual")
    )
    confirmed = django_filters.BooleanFilter(label=_("confirmed"))
    batch = django_filters.NumberFilter(field_name="batch_id", label=_("batch"))

    class Meta:
        model = Award
        fields = ["station", "issuing_region", "level", "awarded_from", "awarded_until", "wartime", "individual",
                  "confirmed", "batch"]


class AwardBatchFilterSet(JurisdictionFilterSet):
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices, label=_("status"))

    class Meta:
        model = AwardBatch
        fields = ["status"]


class PointEntryFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter("station", _("station"))
    date_from = django_filters.DateFilter(field_name="entry_date", lookup_expr="gte", label=_("from"))
    date_until = django_filters.DateFilter(field_name="entry_date", lookup_expr="lte", label=_("until"))
    head = django_filters.NumberFilter(field_name="head_id", label=_("household head"))

    class Meta:
        model = PointEntry
        fields = ["station", "head", "date_from", "date_until"]


class EventRewardFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter("station", _("station"))
    status = django_filters.ChoiceFilter(choices=RewardStatus.choices, label=_("status"))
    head = django_filters.NumberFilter(field_name="head_id", label=_("household head"))

    class Meta:
        model = EventReward
        fields = ["station", "status", "head"]
