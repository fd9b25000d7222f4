"""The beats API: /beats/, /police-rooms/, /check-ins/, /communities/, /household-heads/ and
/household-head-activities/. Jurisdiction comes from the base viewsets; writes go through services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from beats import selectors, services
from beats.api.serializers import (
    ActivityDecisionSerializer,
    BeatAssignSerializer,
    BeatSerializer,
    CertifySerializer,
    CheckInReviewSerializer,
    CheckInSerializer,
    CommunitySerializer,
    ComplianceQuerySerializer,
    ComplianceRowSerializer,
    EightNosBreachSerializer,
    EightNosStatusSerializer,
    HeadEndSerializer,
    HouseholdHeadActivitySerializer,
    HouseholdHeadSerializer,
    PoliceRoomSerializer,
)
from beats.choices import CheckInSource
from beats.filters import (
    BeatFilterSet,
    CheckInFilterSet,
    CommunityFilterSet,
    HouseholdHeadActivityFilterSet,
    HouseholdHeadFilterSet,
    PoliceRoomFilterSet,
    parse_month,
)
from beats.models import (
    Beat,
    CheckIn,
    Community,
    EightNosBreach,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    PoliceRoom,
)
from beats.permissions import can_enter, can_manage
from stations.api.permissions import PortalPermission
from stations.api.viewsets import ScopedReadOnlyViewSet

MANAGE, ENTER, OFFICER = "manage", "enter", "officer"


class BeatsPermission(PortalPermission):
    """On top of the portal's rule (signed in to read, a writing role to write): each write action
    names who may do it in ``write_rules`` (default: managers). Writes to one object are judged after
    the object is found in the caller's jurisdiction, so an outside object answers 404, not 403."""

    def _allowed(self, request: Request, view: Any) -> bool:
        rule = getattr(view, "write_rules", {}).get(view.action, MANAGE)
        user = request.user
        if rule == ENTER:
            return can_enter(user)
        if rule == OFFICER:
            return getattr(user, "officer_id", None) is not None
        return can_manage(user)

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS or getattr(view, "detail", False):
            return True
        return self._allowed(request, view)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return self._allowed(request, view)


class BeatsViewSetMixin:
    permission_classes = [BeatsPermission]
    write_rules: dict[str, str] = {}


class BeatViewSet(BeatsViewSetMixin, ScopedReadOnlyViewSet):
    """Beat areas with their boundary (GeoJSON) and dedicated officer."""

    queryset = Beat.objects.all()
    serializer_class = BeatSerializer
    filterset_class = BeatFilterSet

    @extend_schema(request=BeatAssignSerializer, responses={200: BeatSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Make an officer of the beat's station its dedicated officer from ``start`` (or leave it vacant)."""
        beat = self.get_object()
        params = BeatAssignSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        services.beat_assign_officer(
            user=request.user, beat=beat, officer=params.validated_data["officer"],
            full_time=params.validated_data["full_time"],
            on=params.validated_data.get("start") or timezone.localdate(),
        )
        beat.refresh_from_db()
        return Response(BeatSerializer(beat, context=self.get_serializer_context()).data)


class PoliceRoomViewSet(BeatsViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Police rooms: urban community and rural village rooms, and whether named after their officer.
    A room belongs to the station of the beat it serves. Rooms are closed (``is_active``), not deleted."""

    queryset = PoliceRoom.objects.all()
    serializer_class = PoliceRoomSerializer
    filterset_class = PoliceRoomFilterSet


class CheckInViewSet(BeatsViewSetMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Location check-ins. ``POST`` checks the caller's own officer in against their current beat;
    doubtful check-ins are kept with their ``flags``. Check-ins are never changed or deleted, only
    reviewed by the station."""

    queryset = CheckIn.objects.all()
    serializer_class = CheckInSerializer
    filterset_class = CheckInFilterSet
    write_rules = {"create": OFFICER, "review": MANAGE}

    def perform_create(self, serializer: CheckInSerializer) -> None:  # type: ignore[override]
        user = self.request.user
        if getattr(user, "officer", None) is None:
            raise PermissionDenied(_("Only a user linked to an officer checks in."))
        data = serializer.validated_data
        serializer.instance = services.checkin_record(
            officer=user.officer, lat=data["lat"], lon=data["lon"], accuracy=data["accuracy"],
            device_time=data.get("device_time"), source=CheckInSource.API,
        )

    @extend_schema(request=CheckInReviewSerializer, responses={200: CheckInSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """The station accepts a flagged check-in (it then counts toward compliance) or rejects it."""
        check_in = self.get_object()
        params = CheckInReviewSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        check_in = services.checkin_review(
            user=request.user, check_in=check_in, accepted=params.validated_data["accepted"],
            note=params.validated_data["note"],
        )
        return Response(CheckInSerializer(check_in, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (default: this month)"),
            OpenApiParameter("station", OpenApiTypes.INT, description="Only this station"),
        ],
        responses={200: ComplianceRowSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def compliance(self, request: Request) -> Response:
        """Each dedicated officer's check-in compliance for a month: days with a counting check-in
        inside the beat against the days required by the policy in force."""
        params = ComplianceQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        month = parse_month(params.validated_data.get("month"), timezone.localdate())
        rows = selectors.compliance_rows(user=request.user, month=month, station=params.validated_data.get("station"))
        return Response(ComplianceRowSerializer(rows, many=True).data)


class CommunityViewSet(BeatsViewSetMixin, ScopedReadOnlyViewSet):
    """Communities and villages with their beat, eight-nos standing per year and the breaches."""

    queryset = Community.objects.prefetch_related(
        Prefetch("eight_nos", queryset=EightNosStatus.objects.order_by("-year")),
        Prefetch("breaches", queryset=EightNosBreach.objects.order_by("-occurred_on", "-id")),
    )
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet

    @extend_schema(request=EightNosBreachSerializer, responses={201: EightNosBreachSerializer})
    @action(detail=True, methods=["post"])
    def breaches(self, request: Request, pk: str | None = None) -> Response:
        """Record the incident or case that broke one of the eight nos (the year's standing follows)."""
        community = self.get_object()
        params = EightNosBreachSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        breach = services.eight_nos_breach_record(user=request.user, community=community, **params.validated_data)
        return Response(EightNosBreachSerializer(breach).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CertifySerializer, responses={200: EightNosStatusSerializer})
    @action(detail=True, methods=["post"])
    def certify(self, request: Request, pk: str | None = None) -> Response:
        """Certify that the community holds all eight nos in a year."""
        community = self.get_object()
        params = CertifySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        status_row = services.eight_nos_certify(
            user=request.user, community=community, year=params.validated_data["year"], on=params.validated_data["on"]
        )
        return Response(EightNosStatusSerializer(status_row).data)


class HouseholdHeadViewSet(BeatsViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Security household heads. National IDs and phones are masked unless the caller's role
    grants them. Heads are ended (``end``), not deleted: their activities earn points."""

    queryset = HouseholdHead.objects.all()
    serializer_class = HouseholdHeadSerializer
    filterset_class = HouseholdHeadFilterSet

    @extend_schema(request=HeadEndSerializer, responses={200: HouseholdHeadSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the head's service on a day."""
        head = self.get_object()
        params = HeadEndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        head = services.household_head_end(user=request.user, head=head, on=params.validated_data["on"])
        return Response(HouseholdHeadSerializer(head, context=self.get_serializer_context()).data)


class HouseholdHeadActivityViewSet(BeatsViewSetMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Activities household heads report, entered by the station's officers and confirmed (or
    rejected) by the station; confirmed ones are what points and per-event rewards count."""

    queryset = HouseholdHeadActivity.objects.all()
    serializer_class = HouseholdHeadActivitySerializer
    filterset_class = HouseholdHeadActivityFilterSet
    write_rules = {"create": ENTER, "decide": MANAGE}

    @extend_schema(request=ActivityDecisionSerializer, responses={200: HouseholdHeadActivitySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Confirm or reject a reported activity (once)."""
        activity = self.get_object()
        params = ActivityDecisionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        activity = services.household_head_activity_decide(
            user=request.user, activity=activity, confirm=params.validated_data["confirm"],
            note=params.validated_data["note"],
        )
        return Response(HouseholdHeadActivitySerializer(activity, context=self.get_serializer_context()).data)

