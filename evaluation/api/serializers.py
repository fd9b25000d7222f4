from __future__ import annotations

from rest_framework import serializers

from evaluation.models import GeneratedLedger, Score


class ScoreSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    score = serializers.DecimalField(source="total", max_digits=7, decimal_places=2, read_only=True)

    class Meta:
        model = Score
        fields = ["id", "unit", "period", "score", "max_points", "level", "rank", "breakdown", "computed_at"]

    def get_unit(self, obj: Score) -> dict:
        unit = obj.station if obj.station_id else obj.region
        return {"kind": "station" if obj.station_id else "region", "id": unit.pk, "code": unit.code, "name": unit.name}

    def get_period(self, obj: Score) -> dict:
        return {"id": obj.period_id, "kind": obj.period.kind, "start": obj.period.start, "end": obj.period.end}


class GeneratedLedgerSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="definition.code", read_only=True)
    name = serializers.CharField(source="definition.name", read_only=True)
    period = serializers.SerializerMethodField()
    xlsx = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedLedger
        fields = ["id", "code", "name", "station", "period", "columns", "rows", "checksum", "generated_at", "xlsx"]

    def get_period(self, obj: GeneratedLedger) -> dict:
        return {"id": obj.period_id, "kind": obj.period.kind, "start": obj.period.start, "end": obj.period.end}

    def get_xlsx(self, obj: GeneratedLedger) -> str:
        from django.urls import reverse

        url = reverse("ledger-xlsx", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
