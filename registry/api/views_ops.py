"""API of the registry's heavy machinery: imports, data-quality rates, key-venue inspections.

Every viewset derives from the scoped base (``stations.api.viewsets``): outside the caller's
jurisdiction is 404, exactly like missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from registry.choices import RecordKind
from registry.imports import selectors as import_selectors
from registry.imports import services as import_services
from registry.inspections import NotAKeyVenue, inspection_coverage, inspection_record, week_start
from registry.models import ImportJob, Inspection, InspectionPlanItem, QualityRate, Unit
from registry.quality import THRESHOLD
from stations.api.pagination import KeysetPagination
from stations.api.permissions import can_write
from stations.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from stations.filters import JurisdictionFilterSet
from stations.jurisdiction import visible_stations
from stations.models import Officer

# --- imports ------------------------------------------------------------------------------------------


class NewestFirst(KeysetPagination):
    ordering = ("-id",)


class ImportJobSerializer(serializers.ModelSerializer):
    report = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "status", "file_name", "sha256", "rows_total", "rows_done", "rows_ok", "rows_bad",
            "report", "error", "created_by", "station", "region", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_report(self, job: ImportJob) -> str | None:
        """URL of the bad-row CSV (line, column, reason)."""
        path = reverse("registry-import-report", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=RecordKind.choices)


class ImportJobFilterSet(JurisdictionFilterSet):
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices)
    status = django_filters.CharFilter()
    station = JurisdictionFilterSet.station_filter()

    class Meta:
        model = ImportJob
        fields = ["kind", "status", "station"]


class ImportJobViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Bulk imports: ``POST`` multipart ``file`` + ``kind`` answers 202 with the job; the job shows its
    progress; ``report/`` downloads the bad rows as CSV; ``resume/`` continues a failed job."""

    queryset = ImportJob.objects.select_related("created_by")
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilterSet
    pagination_class = NewestFirst
    parser_classes = [MultiPartParser, FormParser]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ImportCreateSerializer if self.action == "create" else ImportJobSerializer

    @extend_schema(request=ImportCreateSerializer, responses={202: ImportJobSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Refuse an oversized upload before reading its body.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > import_services.max_upload_bytes():
            return _too_large()
        incoming = ImportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            job = import_services.import_create(
                user=request.user,
                kind=incoming.validated_data["kind"],
                upload=incoming.validated_data["file"],
            )
        except import_services.ImportTooLarge:
            return _too_large()
        data = ImportJobSerializer(job, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "text/csv"): str})
    @action(detail=True, methods=["get"], url_path="report", url_name="report")
    def report(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        job = self.get_object()
        response = StreamingHttpResponse(
            import_selectors.import_report_lines(job=job), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-bad-rows.csv"'
        return response

    @extend_schema(request=None, responses={202: ImportJobSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        job = self.get_object()
        if not import_services.import_resume(user=request.user, job=job):
            raise ValidationError({"status": [_("Only a failed or abandoned import can be resumed.")]})
        job.refresh_from_db()
        return Response(ImportJobSerializer(job, context=self.get_serializer_context()).data, status=202)


def _too_large() -> Response:
    limit = import_services.max_upload_bytes()
    return Response(
        {"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024) or 1}]},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


# --- quality ------------------------------------------------------------------------------------------


class QualityRateSerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    unit_type = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField()
    completeness = serializers.FloatField(read_only=True)
    accuracy = serializers.FloatField(read_only=True)
    freshness = serializers.FloatField(read_only=True)
    below_target = serializers.SerializerMethodField()

    class Meta:
        model = QualityRate
        fields = [
            "id", "unit", "unit_type", "unit_name", "kind", "day", "completeness", "accuracy", "freshness",
            "total", "complete", "accurate", "fresh", "below_target", "computed_at",
        ]  # fmt: skip

    def get_unit(self, row: QualityRate) -> str:
        """The unit's code: a station's 12 digits or a region's 6."""
        return row.station.code if row.station_id else row.region.code

    def get_unit_type(self, row: QualityRate) -> str:
        return "station" if row.station_id else "region"

    def get_unit_name(self, row: QualityRate) -> str:
        return row.station.name if row.station_id else row.region.name

    def get_below_target(self, row: QualityRate) -> bool:
        return min(row.completeness, row.accuracy, row.freshness) < THRESHOLD


class QualityRateFilterSet(JurisdictionFilterSet):
    day = django_filters.DateFilter()
    kind = django_filters.ChoiceFilter(choices=RecordKind.choices)
    station = JurisdictionFilterSet.station_filter()
    region = JurisdictionFilterSet.region_filter("region")
    unit_type = django_filters.ChoiceFilter(
        choices=[("station", "station"), ("region", "region")], method="filter_unit_type"
    )

    class Meta:
        model = QualityRate
        fields = ["day", "kind", "station", "region", "unit_type"]

    def filter_unit_type(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(station__isnull=value != "station")


class RecomputeJobSerializer(serializers.Serializer):
    job = serializers.IntegerField(source="pk", read_only=True)
    status = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    queued = serializers.BooleanField(read_only=True, default=True)
    replayed = serializers.BooleanField(
        read_only=True,
        default=False,
        help_text="True when this answers an earlier request with the same key.",
    )


class QualityRateViewSet(ScopedReadOnlyViewSet):
    """Data-quality rates per unit, kind and day (read from the summary table). ``recompute/`` asks
    for a fresh computation of the caller's stations (202; a worker does it)."""

    queryset = QualityRate.objects.select_related("station", "region")
    serializer_class = QualityRateSerializer
    filterset_class = QualityRateFilterSet
    pagination_class = NewestFirst

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=(
                    "Optional, up to 100 characters. Sent again with the same key (a retried request) while the "
                    "first recompute is queued or running, the answer is that job (`replayed: true`) and "
                    "nothing more is queued. Keys are the caller's own: another user's key never matches."
                ),
            )
        ],
        responses={202: RecomputeJobSerializer},
    )
    @action(detail=False, methods=["post"])
    def recompute(self, request: Request) -> Response:
        """Record a recompute of the caller's stations as a job and queue it (202). If Redis is down it
        is still 202: the job stays queued in the database and is sent when Redis is back."""
        if not can_write(request.user):
            return Response(status=status.HTTP_403_FORBIDDEN)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 100:
            raise ValidationError({"Idempotency-Key": _("At most 100 characters.")})
        job, created = quality_request_recompute(user=request.user, idempotency_key=key)
        data = RecomputeJobSerializer(job).data
        return Response({**data, "queued": True, "replayed": not created}, status=status.HTTP_202_ACCEPTED)


def quality_request_recompute(*, user: Any, idempotency_key: str = "") -> tuple[Any, bool]:
    """Record a recomputation of today's rates for the user's stations as a job (queued once the
    request commits); returns ``(job, created)``. An API client's ``Idempotency-Key`` (scoped to the
    user) or, from the page, the work itself (same user, day and stations) finds a job still queued or
    running instead of queuing a second."""
    import hashlib

    from jobs.services import job_submit

    ids = sorted(visible_stations(user).values_list("pk", flat=True))
    day = timezone.localdate().isoformat()
    if idempotency_key:
        key = f"registry.quality:api:{user.pk}:{idempotency_key}"
    else:
        key = f"registry.quality:{user.pk}:{day}:{hashlib.sha256(repr(ids).encode()).hexdigest()[:16]}"
    return job_submit(
        task="registry.tasks.quality_recompute_task",
        kwargs={"day": day, "station_ids": ids},
        idempotency_key=key,
        requested_by=user.get_username(),
    )


# --- inspections ----------------------------------------------------------------------------------------


class InspectionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    venue = serializers.IntegerField(source="venue_id")
    station = serializers.IntegerField(source="station_id", read_only=True)
    venue_name = serializers.CharField(source="venue.name", read_only=True)
    officer_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)

    class Meta:
        model = Inspection
        fields = [
            "id", "venue", "venue_name", "station", "inspected_at", "officer_ids", "unannounced", "findings",
            "rectification", "deadline", "rectified_on", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("deadline") and not attrs.get("rectification"):
            raise ValidationError({"deadline": [_("A deadline needs a rectification demanded.")]})
        if attrs["inspected_at"] > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"inspected_at": [_("An inspection cannot be in the future.")]})
        return attrs


class InspectionFilterSet(JurisdictionFilterSet):
    station = JurisdictionFilterSet.station_filter()
    venue = django_filters.NumberFilter(field_name="venue_id")
    inspected_after = django_filters.IsoDateTimeFilter(field_name="inspected_at", lookup_expr="gte")
    inspected_before = django_filters.IsoDateTimeFilter(field_name="inspected_at", lookup_expr="lt")
    unannounced = django_filters.BooleanFilter()
    rectification_open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = Inspection
        fields = [
            "station",
            "venue",
            "inspected_after",
            "inspected_before",
            "unannounced",
            "rectification_open",
        ]

    def filter_open(self, queryset: Any, name: str, value: bool) -> Any:
        open_q = ~Q(rectification="") & Q(rectified_on__isnull=True)
        return queryset.filter(open_q) if value else queryset.exclude(open_q)


class LatestInspectionsFirst(KeysetPagination):
    ordering = ("-inspected_at", "-id")


class InspectionViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Inspections of key venues (a table partitioned by month): list, record, read; ``plan/`` is the
    caller's plans of a week (``?week=YYYY-MM-DD``), ``coverage/`` the week's and four weeks' coverage."""

    queryset = Inspection.objects.select_related("venue")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet
    pagination_class = LatestInspectionsFirst
    lookup_field = "id"
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer: InspectionSerializer) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = inspection_record(
                user=self.request.user,
                venue_id=data["venue_id"],
                inspected_at=data["inspected_at"],
                officer_ids=data["officer_ids"],
                unannounced=data.get("unannounced", True),
                findings=data.get("findings", ""),
                rectification=data.get("rectification", ""),
                deadline=data.get("deadline"),
                rectified_on=data.get("rectified_on"),
            )
        except NotAKeyVenue as exc:
            raise ValidationError({"venue": [_("This unit is not a key venue.")]}) from exc
        except Officer.DoesNotExist as exc:
            raise ValidationError({"officer_ids": [_("Unknown officer.")]}) from exc
        except Unit.DoesNotExist as exc:
            raise ValidationError({"venue": [_("Unknown venue.")]}) from exc

    def _week(self) -> dt.date:
        raw = self.request.query_params.get("week")
        try:
            day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise ValidationError({"week": [_("Enter a date as YYYY-MM-DD.")]}) from exc
        return week_start(day)

    @extend_schema(responses={200: None})
    @action(detail=False, methods=["get"])
    def plan(self, request: Request) -> Response:
        monday = self._week()
        items = (
            InspectionPlanItem.objects.for_user(request.user)
            .filter(plan__week_start=monday)
            .select_related("plan__station", "venue")
            .order_by("plan__station__code", "venue__name", "id")
        )
        return Response(
            {
                "week": monday,
                "results": [
                    {
                        "station": item.plan.station_id,
                        "station_name": item.plan.station.name,
                        "venue": item.venue_id,
                        "venue_name": item.venue.name,
                        "drawn_at": item.plan.drawn_at,
                    }
                    for item in items
                ],
            }
        )

    @extend_schema(responses={200: None})
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request) -> Response:
        monday = self._week()
        rows, total = inspection_coverage(user=request.user, monday=monday)
        return Response(
            {
                "week": monday,
                "total": _coverage_json(total),
                "results": [
                    {
                        "unit_type": row.kind,
                        "unit_id": row.unit_id,
                        "name": row.name,
                        **_coverage_json(row.coverage),
                    }
                    for row in rows
                ],
            }
        )


def _coverage_json(c: Any) -> dict[str, Any]:
    return {
        "planned": c.planned,
        "planned_done": c.planned_done,
        "plan_coverage": c.plan_rate,
        "key_venues": c.venues,
        "key_venues_inspected_4_weeks": c.venues_done,
        "four_week_coverage": c.four_week_rate,
        "inspections_this_week": c.inspections,
    }
