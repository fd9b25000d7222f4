"""The disputes API: ``/api/v1/disputes/`` with nested parties, sessions, transitions and follow-up
visits, and the workflow's ``transition/`` action. Jurisdiction comes from the base viewset; every
write goes through ``disputes.services``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from disputes import selectors, services
from disputes.api.serializers import (
    DisputeSerializer,
    DisputeUpdateSerializer,
    FollowUpRecordSerializer,
    FollowUpSerializer,
    MediationSessionSerializer,
    PartySerializer,
    SentimentReportSerializer,
    SentimentStepSerializer,
    TransitionRequestSerializer,
    TransitionSerializer,
    TriageRequestSerializer,
    VisitSerializer,
)
from disputes.filters import DisputeFilterSet, SentimentReportFilterSet, VisitFilterSet
from disputes.models import Dispute, FollowUp, SentimentReport, Visit
from disputes.sentiment import sentiment_report_create, sentiment_triage
from disputes.visits import ConflictInput, visit_record
from stations.api.pagination import KeysetPagination
from stations.api.viewsets import ScopedReadOnlyViewSet

_ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Validation errors: field → messages.")
READ_ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid filters."),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such dispute in your jurisdiction."),
}
WRITE_ERRORS = {
    400: _ERROR,
    401: READ_ERRORS[401],
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Your role may not change disputes."),
    404: READ_ERRORS[404],
}


class NewestFirstPagination(KeysetPagination):
    ordering = ("-id",)


@extend_schema_view(
    list=extend_schema(responses={200: DisputeSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: DisputeSerializer, **READ_ERRORS}),
    create=extend_schema(request=DisputeSerializer, responses={201: DisputeSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(
        request=DisputeUpdateSerializer, responses={200: DisputeSerializer, **WRITE_ERRORS}
    ),
)
class DisputeViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Disputes (矛盾纠纷) in the caller's jurisdiction, newest first."""

    queryset = Dispute.objects.all()
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilterSet
    pagination_class = NewestFirstPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        qs = super().get_queryset()  # already in the caller's jurisdiction
        return qs.select_related("station", "officer", "beat", "community").prefetch_related(
            "parties", "sessions", "transitions__user", "followups"
        )

    def get_serializer_class(self) -> Any:
        if self.action == "partial_update":
            return DisputeUpdateSerializer
        return super().get_serializer_class()

    def _fresh(self, dispute: Dispute) -> Response:
        dispute = selectors.dispute_detail_queryset(user=self.request.user).get(pk=dispute.pk)
        return DisputeSerializer(dispute, context=self.get_serializer_context()).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        station = data.pop("station", None) or request.user.home_station
        if station is None:
            raise ValidationError({"station": [_("Name the station: your account is not bound to one.")]})
        parties = [
            services.PartyInput(
                name=p.get("name", ""),
                phone=p.get("phone", ""),
                role=p.get("role", "first"),
                person_id=p["person"].pk if p.get("person") else None,
                national_id=p.get("national_id", ""),
            )
            for p in data.pop("parties", [])
        ]
        dispute = services.dispute_create(user=request.user, station=station, parties=parties, **data)
        return Response(self._fresh(dispute), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dispute = self.get_object()
        serializer = self.get_serializer(dispute, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        dispute = services.dispute_update(user=request.user, dispute=dispute, **serializer.validated_data)
        return Response(self._fresh(dispute))

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={200: TransitionSerializer, **WRITE_ERRORS},
        description="Move the dispute to state `to`. An illegal move answers 400 with the reason under `to`.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = services.dispute_transition(dispute=dispute, user=request.user, **serializer.validated_data)
        return Response(TransitionSerializer(step).data)

    @extend_schema(methods=["GET"], request=None, responses={200: PartySerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"], request=PartySerializer, responses={201: PartySerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def parties(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return Response(PartySerializer(dispute.parties.all(), many=True, context=context).data)
        serializer = PartySerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        party = services.party_add(
            user=request.user,
            dispute=dispute,
            party=services.PartyInput(
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                role=data.get("role", "first"),
                person_id=data["person"].pk if data.get("person") else None,
                national_id=data.get("national_id", ""),
            ),
        )
        return Response(PartySerializer(party, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses={200: MediationSessionSerializer(many=True), **READ_ERRORS}
    )
    @extend_schema(
        methods=["POST"],
        request=MediationSessionSerializer,
        responses={201: MediationSessionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def sessions(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            return Response(
                MediationSessionSerializer(dispute.sessions.all(), many=True, context=context).data
            )
        serializer = MediationSessionSerializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        session = services.mediation_session_record(
            user=request.user, dispute=dispute, **serializer.validated_data
        )
        return Response(
            MediationSessionSerializer(session, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        methods=["GET"], request=None, responses={200: FollowUpSerializer(many=True), **READ_ERRORS}
    )
    @extend_schema(
        methods=["POST"], request=FollowUpSerializer, responses={201: FollowUpSerializer, **WRITE_ERRORS}
    )
    @action(
        detail=True, methods=["get", "post"], url_path="follow-ups", pagination_class=None, filter_backends=[]
    )
    def followups(self, request: Request, pk: str | None = None) -> Response:
        dispute = self.get_object()
        if request.method == "GET":
            return Response(FollowUpSerializer(dispute.followups.all(), many=True).data)
        serializer = FollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = services.followup_schedule(
            user=request.user, dispute=dispute, due_on=serializer.validated_data["due_on"]
        )
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpRecordSerializer, responses={200: FollowUpSerializer, **WRITE_ERRORS})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"follow-ups/(?P<followup_id>[0-9]+)/record",
        filter_backends=[],
    )
    def followup_record(
        self, request: Request, pk: str | None = None, followup_id: str | None = None
    ) -> Response:
        dispute = self.get_object()
        followup = (
            FollowUp.objects.filter(dispute=dispute, pk=followup_id).first()
            if len(followup_id or "") < 19
            else None
        )
        if followup is None:
            raise services.OutOfScope
        serializer = FollowUpRecordSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        followup = services.followup_record(user=request.user, followup=followup, **serializer.validated_data)
        return Response(FollowUpSerializer(followup).data)


VISIT_READ_ERRORS = {
    **READ_ERRORS,
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such visit in your jurisdiction."),
}
VISIT_WRITE_ERRORS = {
    **WRITE_ERRORS,
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Your role may not record visits."),
    404: VISIT_READ_ERRORS[404],
}


@extend_schema_view(
    list=extend_schema(responses={200: VisitSerializer(many=True), **VISIT_READ_ERRORS}),
    retrieve=extend_schema(responses={200: VisitSerializer, **VISIT_READ_ERRORS}),
    create=extend_schema(request=VisitSerializer, responses={201: VisitSerializer, **VISIT_WRITE_ERRORS}),
)
class VisitViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Door-to-door visits (走访) in the caller's jurisdiction, newest first. Recording one marks the
    confirmed residents verified in the registry and may open a dispute."""

    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    pagination_class = NewestFirstPagination
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("house__address", "unit__address", "recorded_by")
            .prefetch_related("persons")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        conflict = data.pop("conflict", None)
        visit = visit_record(
            user=request.user,
            conflict=ConflictInput(
                title=conflict.get("title", ""),
                kind=conflict["kind"],
                risk=conflict["risk"],
                account=conflict.get("account", ""),
                party_person_ids=[p.pk for p in conflict.get("parties", [])],
            )
            if conflict
            else None,
            **data,
        )
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)


SENTIMENT_READ_ERRORS = {
    **READ_ERRORS,
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such report in your jurisdiction."),
}
SENTIMENT_WRITE_ERRORS = {
    **WRITE_ERRORS,
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Your role may not do this."),
    404: SENTIMENT_READ_ERRORS[404],
}


@extend_schema_view(
    list=extend_schema(responses={200: SentimentReportSerializer(many=True), **SENTIMENT_READ_ERRORS}),
    retrieve=extend_schema(responses={200: SentimentReportSerializer, **SENTIMENT_READ_ERRORS}),
    create=extend_schema(
        request=SentimentReportSerializer,
        responses={201: SentimentReportSerializer, **SENTIMENT_WRITE_ERRORS},
    ),
)
class SentimentReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Sentiment reports (社情民意) in the caller's jurisdiction, newest first, and the station
    head's ``triage/`` decision."""

    queryset = SentimentReport.objects.all()
    serializer_class = SentimentReportSerializer
    filterset_class = SentimentReportFilterSet
    pagination_class = NewestFirstPagination
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("steps__user")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        station = data.pop("station", None) or request.user.home_station
        if station is None:
            raise ValidationError({"station": [_("Name the station: your account is not bound to one.")]})
        report = sentiment_report_create(user=request.user, station=station, **data)
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TriageRequestSerializer,
        responses={200: SentimentStepSerializer, **SENTIMENT_WRITE_ERRORS},
        description="The station head's decision: move the report to `to`. An illegal move answers 400.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def triage(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        serializer = TriageRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = sentiment_triage(user=request.user, report=report, **serializer.validated_data)
        return Response(SentimentStepSerializer(step).data)
