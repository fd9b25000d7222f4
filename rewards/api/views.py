from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rewards import services, shares
from rewards.api.serializers import (
    AwardBatchSerializer,
    AwardSerializer,
    BatchConfirmSerializer,
    EventRewardSerializer,
    PointEntrySerializer,
    RewardDecisionSerializer,
)
from rewards.filters import AwardBatchFilterSet, AwardFilterSet, EventRewardFilterSet, PointEntryFilterSet
from rewards.models import Award, AwardBatch, EventReward, PointEntry
from stations.api.permissions import PortalPermission
from stations.api.viewsets import ScopedReadOnlyViewSet


class AwardViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Commendations, individual or collective, within the caller's jurisdiction. Created through the
    award service (station heads and province staff); placement and the station flag are computed."""

    queryset = Award.objects.select_related("level").order_by("-awarded_on", "-id")
    serializer_class = AwardSerializer
    filterset_class = AwardFilterSet
    permission_classes = [PortalPermission]


class AwardBatchViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Batches of a commendation meeting: draft, then confirmed (``confirm``; ``force`` past the 30 % warning)."""

    queryset = AwardBatch.objects.all()
    serializer_class = AwardBatchSerializer
    filterset_class = AwardBatchFilterSet
    permission_classes = [PortalPermission]

    @extend_schema(request=BatchConfirmSerializer, responses={200: AwardBatchSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the batch. When confirming would leave the station share of the issuing unit's year
        below 30 %, answers 409 with the warning unless ``force`` is true."""
        batch = self.get_object()
        params = BatchConfirmSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            batch = services.batch_confirm(user=request.user, batch=batch, force=params.validated_data["force"])
        except services.ShareBelowThreshold as exc:
            return Response(
                {"warning": exc.warning.message, "share_after": shares.percent(exc.warning.after),
                 "share_before": shares.percent(exc.warning.before), "needs": "force"},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(AwardBatchSerializer(batch, context=self.get_serializer_context()).data)


class PointEntryViewSet(ScopedReadOnlyViewSet):
    """The household heads' points ledger (read-only: rows come from confirmed activities and approved rewards)."""

    queryset = PointEntry.objects.select_related("head").order_by("-entry_date", "-id")
    serializer_class = PointEntrySerializer
    filterset_class = PointEntryFilterSet
    permission_classes = [PortalPermission]


class EventRewardViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Per-event rewards (一事一奖): officers propose, the station head decides (``decide``)."""

    queryset = EventReward.objects.all()
    serializer_class = EventRewardSerializer
    filterset_class = EventRewardFilterSet
    permission_classes = [PortalPermission]

    @extend_schema(request=RewardDecisionSerializer, responses={200: EventRewardSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        reward = self.get_object()
        params = RewardDecisionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        decide = services.reward_approve if params.validated_data["approve"] else services.reward_reject
        reward = decide(user=request.user, reward=reward, note=params.validated_data["note"])
        return Response(EventRewardSerializer(reward, context=self.get_serializer_context()).data)
