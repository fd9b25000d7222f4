"""Read-only API of the evaluation app: assessments and generated ledgers (with an XLSX action).
Jurisdiction comes from the base viewset: a station sees its own, region staff their subtree."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request

from evaluation.api.serializers import GeneratedLedgerSerializer, ScoreSerializer
from evaluation.filters import GeneratedLedgerFilterSet, ScoreFilterSet
from evaluation.models import GeneratedLedger, Score
from stations.api.viewsets import ScopedReadOnlyViewSet


class AssessmentViewSet(ScopedReadOnlyViewSet):
    queryset = Score.objects.select_related("station", "region", "period")
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilterSet


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LedgerViewSet(ScopedReadOnlyViewSet):
    queryset = GeneratedLedger.objects.select_related("definition", "period")
    serializer_class = GeneratedLedgerSerializer
    filterset_class = GeneratedLedgerFilterSet

    @extend_schema(
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The ledger as an Excel workbook.")
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def xlsx(self, request: Request, pk: str | None = None):  # type: ignore[no-untyped-def]
        from evaluation.views import xlsx_response

        return xlsx_response(self.get_object())
