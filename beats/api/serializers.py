"""Serializers of the beats API. Writes go through ``beats.services``; ``station`` (and every field
the server derives) is read-only, so a client can never assign an object to another station."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from beats import services
from beats.choices import ALL_EIGHT, FIRST_FOUR, CheckInFlag, EightNo
from beats.masking import mask_national_id, mask_phone, sees_personal_data
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
from beats.models.eightnos import status_field
from beats.models.households import validate_national_id
from stations.models import Officer, Station


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the client sets, restricted to objects in the caller's jurisdiction: an id
    outside it is answered like one that does not exist."""

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.for_user(getattr(request, "user", None))


def _user(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


# --- Beats ---------------------------------------------------------------------------------------------


class BeatSerializer(serializers.ModelSerializer):
    boundary = serializers.JSONField(
        read_only=True, help_text="GeoJSON Polygon or MultiPolygon, coordinates in (longitude, latitude) order."
    )

    class Meta:
        model = Beat
        fields = ["id", "code", "name", "kind", "station", "officer", "officer_full_time", "boundary"]
        read_only_fields = fields


class BeatAssignSerializer(serializers.Serializer):
    officer = ScopedPrimaryKeyRelatedField(
        queryset=Officer.objects.all(), allow_null=True, help_text="The new dedicated officer; null leaves the beat vacant."
    )
    full_time = serializers.BooleanField(default=True)
    start = serializers.DateField(required=False, help_text="From this day (default: today).")


# --- Police rooms --------------------------------------------------------------------------------------------


class PoliceRoomSerializer(serializers.ModelSerializer):
    beat = ScopedPrimaryKeyRelatedField(queryset=Beat.objects.all(), help_text="The beat area the room serves.")
    named_after = ScopedPrimaryKeyRelatedField(
        queryset=Officer.objects.all(), allow_null=True, required=False, help_text="The officer the room is named after."
    )
    is_named_after_officer = serializers.BooleanField(read_only=True)

    class Meta:
        model = PoliceRoom
        fields = [
            "id", "code", "name", "kind", "station", "beat", "address", "latitude", "longitude", "opening_hours",
            "named_after", "is_named_after_officer", "is_active",
        ]
        read_only_fields = ["station"]

    def create(self, validated_data: dict[str, Any]) -> PoliceRoom:
        return services.police_room_create(user=_user(self), **validated_data)

    def update(self, instance: PoliceRoom, validated_data: dict[str, Any]) -> PoliceRoom:
        beat = validated_data.pop("beat", None)
        return services.police_room_update(user=_user(self), room=instance, beat=beat, **validated_data)


# --- Check-ins ---------------------------------------------------------------------------------------------------


DEVICE_TIME_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class CheckInSerializer(serializers.ModelSerializer):
    """``POST`` takes ``lat``, ``lon``, ``accuracy`` (metres) and optionally ``device_time``; the
    officer is the caller's, the beat the officer's current one. The answer (201) says whether the
    point is ``inside_beat`` and lists the ``flags`` that make it doubtful."""

    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS 84).")
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS 84).")
    accuracy = serializers.FloatField(min_value=0, max_value=1_000_000, help_text="Accuracy radius in metres.")
    device_time = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the device took the position (ISO 8601)."
    )
    flags = serializers.ListField(child=serializers.ChoiceField(choices=CheckInFlag.choices), read_only=True)

    def validate_device_time(self, value: dt.datetime | None) -> dt.datetime | None:
        # A stale fix is kept and flagged; a clock decades off (or far in the future) is not a fix at
        # all, and dates before 1900 would come back with a local-mean-time offset like +08:05:43.
        if value is not None and not (DEVICE_TIME_EARLIEST <= value <= timezone.now() + dt.timedelta(days=1)):
            raise serializers.ValidationError(_("The device's clock is not plausible: send its current time."))
        return value

    class Meta:
        model = CheckIn
        fields = [
            "id", "officer", "beat", "station", "at", "day", "device_time", "lat", "lon", "accuracy", "inside_beat",
            "flags", "counts", "distance_from_previous_m", "speed_kmh", "source", "review", "reviewed_by",
            "reviewed_at", "review_note",
        ]
        read_only_fields = [
            "officer", "beat", "station", "at", "day", "inside_beat", "counts", "distance_from_previous_m",
            "speed_kmh", "source", "review", "reviewed_by", "reviewed_at", "review_note",
        ]


class CheckInReviewSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="True: the check-in counts; false: it does not.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ComplianceRowSerializer(serializers.Serializer):
    officer = serializers.IntegerField(source="officer_id")
    officer_name = serializers.CharField()
    station = serializers.IntegerField(source="station_id")
    beat = serializers.IntegerField(source="beat_id", allow_null=True)
    days_checked = serializers.IntegerField()
    days_required = serializers.IntegerField()
    met = serializers.BooleanField()


class ComplianceQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM (default: this month).")
    station = ScopedPrimaryKeyRelatedField(queryset=Station.objects.all(), required=False)


# --- Communities and the eight nos ----------------------------------------------------------------------------------


class EightNosStatusSerializer(serializers.ModelSerializer):
    holds_all_eight = serializers.SerializerMethodField()
    holds_first_four = serializers.SerializerMethodField()

    class Meta:
        model = EightNosStatus
        fields = ["year", *(status_field(item) for item in ALL_EIGHT), "holds_all_eight", "holds_first_four", "certified_on"]
        read_only_fields = fields

    def get_holds_all_eight(self, obj: EightNosStatus) -> bool:
        return all(getattr(obj, status_field(item)) for item in ALL_EIGHT)

    def get_holds_first_four(self, obj: EightNosStatus) -> bool:
        return all(getattr(obj, status_field(item)) for item in FIRST_FOUR)


class EightNosBreachSerializer(serializers.ModelSerializer):
    item = serializers.ChoiceField(choices=EightNo.choices)

    class Meta:
        model = EightNosBreach
        fields = ["id", "item", "occurred_on", "case_number", "description", "recorded_at"]
        read_only_fields = ["id", "recorded_at"]


class CommunitySerializer(serializers.ModelSerializer):
    eight_nos = EightNosStatusSerializer(many=True, read_only=True, help_text="Standing on the eight nos, per year.")
    breaches = EightNosBreachSerializer(many=True, read_only=True, help_text="What broke one of the eight nos, and when.")

    class Meta:
        model = Community
        fields = ["id", "code", "name", "kind", "station", "beat", "eight_nos", "breaches"]
        read_only_fields = fields


class CertifySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    on = serializers.DateField(help_text="The day it was certified.")


# --- Household heads ----------------------------------------------------------------------------------------------


class HouseholdHeadSerializer(serializers.ModelSerializer):
    national_id = serializers.CharField(
        max_length=18, validators=[validate_national_id],
        help_text="GB 11643 national ID (links to the registry person); masked unless the caller's role grants it.",
    )
    community = ScopedPrimaryKeyRelatedField(queryset=Community.objects.all(), help_text="The community / village served.")
    appointed_by = ScopedPrimaryKeyRelatedField(queryset=Officer.objects.all(), allow_null=True, required=False)

    class Meta:
        model = HouseholdHead
        fields = [
            "id", "national_id", "name", "phone", "community", "station", "source", "appointed_by", "appointed_on",
            "is_active", "ended_on",
        ]
        read_only_fields = ["station", "is_active", "ended_on"]

    def to_representation(self, instance: HouseholdHead) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not sees_personal_data(_user(self)):
            data["national_id"] = mask_national_id(instance.national_id)
            data["phone"] = mask_phone(instance.phone) if instance.phone else ""
        return data

    def validate_national_id(self, value: str) -> str:
        value = value.strip().upper()
        if self.instance is not None and value != self.instance.national_id:
            raise serializers.ValidationError(_("A head's national ID cannot change; end the appointment instead."))
        return value

    def create(self, validated_data: dict[str, Any]) -> HouseholdHead:
        return services.household_head_appoint(user=_user(self), **validated_data)

    def update(self, instance: HouseholdHead, validated_data: dict[str, Any]) -> HouseholdHead:
        validated_data.pop("national_id", None)
        community = validated_data.pop("community", None)
        return services.household_head_update(user=_user(self), head=instance, community=community, **validated_data)


class HeadEndSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The last day of service.")


class HouseholdHeadActivitySerializer(serializers.ModelSerializer):
    head = ScopedPrimaryKeyRelatedField(queryset=HouseholdHead.objects.all())

    class Meta:
        model = HouseholdHeadActivity
        fields = [
            "id", "head", "station", "kind", "occurred_on", "description", "status", "reported_by", "reported_at",
            "decided_by", "decided_at", "decision_note",
        ]
        read_only_fields = [
            "station", "status", "reported_by", "reported_at", "decided_by", "decided_at", "decision_note",
        ]

    def create(self, validated_data: dict[str, Any]) -> HouseholdHeadActivity:
        return services.household_head_activity_report(user=_user(self), **validated_data)


class ActivityDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text="True confirms the activity (it then earns points); false rejects it.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
