from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from beats.models import HouseholdHead
from rewards import services
from rewards.models import Award, AwardBatch, AwardLevel, EventReward, PointEntry
from stations.models import Officer, Region, Station


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the client sets, restricted to the caller's jurisdiction."""

    def get_queryset(self) -> models.QuerySet[Any]:
        request = self.context.get("request")
        return super().get_queryset().for_user(getattr(request, "user", None))


def _user(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


class AwardSerializer(serializers.ModelSerializer):
    officer = ScopedPrimaryKeyRelatedField(queryset=Officer.objects.all(), allow_null=True, required=False)
    recipient_station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), allow_null=True, required=False)
    recipient_region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    issuing_region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    issuing_station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), allow_null=True, required=False)
    batch = ScopedPrimaryKeyRelatedField(queryset=AwardBatch.objects.all(), allow_null=True, required=False)
    level = serializers.PrimaryKeyRelatedField(queryset=AwardLevel.objects.filter(is_active=True))
    level_name = serializers.CharField(source="level.name", read_only=True)

    class Meta:
        model = Award
        fields = [
            "id", "officer", "recipient_station", "recipient_region", "level", "level_name", "issuing_region",
            "issuing_station", "awarded_on", "reason", "wartime", "emergency", "people", "batch", "confirmed",
            "station", "region", "at_station",
        ]
        read_only_fields = ["confirmed", "station", "region", "at_station"]

    def create(self, validated_data: dict[str, Any]) -> Award:
        return services.award_grant(user=_user(self), **validated_data)


class AwardBatchSerializer(serializers.ModelSerializer):
    issuing_region = ScopedPrimaryKeyRelatedField(queryset=Region.objects.all(), allow_null=True, required=False)
    issuing_station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), allow_null=True, required=False)

    class Meta:
        model = AwardBatch
        fields = ["id", "title", "issuing_region", "issuing_station", "meeting_date", "status", "confirmed_at"]
        read_only_fields = ["status", "confirmed_at"]

    def create(self, validated_data: dict[str, Any]) -> AwardBatch:
        return services.batch_create(user=_user(self), **validated_data)


class BatchConfirmSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False)


class PointEntrySerializer(serializers.ModelSerializer):
    head_name = serializers.CharField(source="head.name", read_only=True)

    class Meta:
        model = PointEntry
        fields = ["id", "head", "head_name", "station", "activity", "event_reward", "points", "entry_date", "note"]
        read_only_fields = fields


class EventRewardSerializer(serializers.ModelSerializer):
    head = ScopedPrimaryKeyRelatedField(queryset=HouseholdHead.objects.all())
    points = serializers.IntegerField(min_value=1, max_value=1000)

    class Meta:
        model = EventReward
        fields = ["id", "head", "station", "event_date", "description", "points", "status", "proposed_by",
                  "decided_by", "decided_at", "decision_note"]
        read_only_fields = ["station", "status", "proposed_by", "decided_by", "decided_at", "decision_note"]

    def create(self, validated_data: dict[str, Any]) -> EventReward:
        return services.reward_propose(user=_user(self), **validated_data)


class RewardDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
