from __future__ import annotations

import django_filters

from evaluation.models import GeneratedLedger, Score, UnitLevel
from stations.filters import JurisdictionFilterSet


class ScoreFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter()
    region = JurisdictionFilterSet.region_filter("region")
    level = django_filters.ChoiceFilter(choices=UnitLevel.choices)
    period_start = django_filters.DateFilter(field_name="period__start")

    class Meta:
        model = Score
        fields = ["station", "region", "level", "period", "period_start"]


class GeneratedLedgerFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter()
    period_start = django_filters.DateFilter(field_name="period__start")
    code = django_filters.CharFilter(field_name="definition__code")

    class Meta:
        model = GeneratedLedger
        fields = ["station", "period", "period_start", "definition", "code"]
