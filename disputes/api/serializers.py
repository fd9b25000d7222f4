"""Serializers of the disputes API. They validate and present; writes go through
``disputes.services``. ``station`` is set only when a dispute is recorded, and ``state`` moves only
through the ``transition/`` action."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from disputes import transitions
from disputes.choices import (
    DisputeKind,
    DisputeState,
    FollowUpOutcome,
    RiskLevel,
    SentimentState,
    VisitFinding,
)
from disputes.models import (
    Dispute,
    FollowUp,
    MediationSession,
    Party,
    SentimentReport,
    SentimentStep,
    Transition,
    Visit,
    VisitPerson,
)
from disputes.services import EDITABLE_FIELDS
from registry.masking import mask_phone
from stations.jurisdiction import scope


def masking(context: dict[str, Any]) -> Any:
    """The registry's masking policy for this request's user, built once per response."""
    from registry.masking import policy_for

    if "masking" not in context:
        request = context.get("request")
        context["masking"] = policy_for(getattr(request, "user", None), request)
    return context["masking"]


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that accepts only objects in the caller's jurisdiction (others are "invalid
    pk", exactly as missing ones)."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        return scope(super().get_queryset(), getattr(request, "user", None))


def _scoped_fk(model_path: str, **kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    from django.apps import apps

    return ScopedPrimaryKeyRelatedField(queryset=apps.get_model(model_path)._default_manager.all(), **kwargs)


class PartySerializer(serializers.ModelSerializer):
    person = _scoped_fk("registry.Person", required=False, allow_null=True)
    national_id = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=18,
        help_text="Fills the party from the registry when the person is found there.",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Party
        fields = ["id", "role", "person", "national_id", "name", "phone"]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not (attrs.get("person") or attrs.get("national_id") or (attrs.get("name") or "").strip()):
            raise serializers.ValidationError(
                {"name": [_("Give a name, a registry person or a national ID.")]}
            )
        return attrs

    def to_representation(self, instance: Party) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data.get("phone") and not masking(self.context).unmasked(instance.dispute.station_id):
            data["phone"] = mask_phone(data["phone"])
        return data


class TransitionSerializer(serializers.ModelSerializer):
    from_state = serializers.ChoiceField(
        choices=DisputeState.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty on the first step (recorded).",
    )
    to_state = serializers.ChoiceField(choices=DisputeState.choices, read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Transition
        fields = ["id", "from_state", "to_state", "at", "note", "user", "officer", "recorded_at"]
        read_only_fields = fields


class MediationSessionSerializer(serializers.ModelSerializer):
    officer = _scoped_fk("stations.Officer", required=False, allow_null=True)
    resolve = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Mark the dispute resolved after this session.",
    )

    class Meta:
        model = MediationSession
        fields = [
            "id",
            "held_on",
            "officer",
            "mediators",
            "method",
            "outcome",
            "note",
            "resolve",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_at"]


class FollowUpSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(
        choices=FollowUpOutcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty until the visit is made.",
    )

    class Meta:
        model = FollowUp
        fields = ["id", "due_on", "status", "done_on", "officer", "outcome", "note"]
        read_only_fields = ["id", "status", "done_on", "officer", "outcome", "note"]


class FollowUpRecordSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    officer = _scoped_fk("stations.Officer", required=False, allow_null=True)
    reopen = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Reopen the dispute for mediation (default: when the outcome is flared_up).",
    )


class TransitionRequestSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=DisputeState.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")


class DisputeSerializer(serializers.ModelSerializer):
    """A dispute with its parties, mediation sessions, timeline and follow-up visits."""

    station = _scoped_fk("stations.Station", required=False, help_text="Default: the caller's own station.")
    beat = _scoped_fk("beats.Beat", required=False, allow_null=True)
    community = _scoped_fk("beats.Community", required=False, allow_null=True)
    officer = _scoped_fk("stations.Officer", required=False, allow_null=True)
    parties = PartySerializer(many=True, required=False)
    sessions = MediationSessionSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    followups = FollowUpSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "station",
            "beat",
            "community",
            "title",
            "kind",
            "found_by",
            "risk",
            "account",
            "reported_on",
            "found_on",
            "officer",
            "state",
            "closed_on",
            "last_action_at",
            "allowed_transitions",
            "parties",
            "sessions",
            "transitions",
            "followups",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "state", "closed_on", "last_action_at", "created_at", "updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DisputeState.choices)))
    def get_allowed_transitions(self, obj: Dispute) -> list[str]:
        return list(transitions.allowed_moves(obj.state))


class DisputeUpdateSerializer(serializers.ModelSerializer):
    """The details of a dispute that may change after it is recorded (not its station or state)."""

    beat = _scoped_fk("beats.Beat", required=False, allow_null=True)
    community = _scoped_fk("beats.Community", required=False, allow_null=True)
    officer = _scoped_fk("stations.Officer", required=False, allow_null=True)

    class Meta:
        model = Dispute
        fields = list(EDITABLE_FIELDS)  # the service accepts these and nothing else


# --- visits -------------------------------------------------------------------------------------


class VisitPersonSerializer(serializers.ModelSerializer):
    finding = serializers.ChoiceField(choices=VisitFinding.choices, read_only=True)

    class Meta:
        model = VisitPerson
        fields = ["person", "finding", "note"]
        read_only_fields = fields


class ConflictSerializer(serializers.Serializer):
    """A conflict found on the visit: a dispute is opened in screening, prefilled from the visit."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    kind = serializers.ChoiceField(choices=DisputeKind.choices, default=DisputeKind.NEIGHBOUR)
    risk = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.LOW)
    account = serializers.CharField(required=False, allow_blank=True, default="")
    parties = _scoped_fk("registry.Person", many=True, required=False, default=list)


def _person_list(help_text: str) -> Any:
    return _scoped_fk(
        "registry.Person", many=True, required=False, write_only=True, default=list, help_text=help_text
    )


class VisitSerializer(serializers.ModelSerializer):
    """A door-to-door visit. On create, ``confirmed`` residents are marked verified in the registry;
    ``changed`` and ``moved_out`` ones are kept for correction; ``conflict`` opens a dispute."""

    station = serializers.PrimaryKeyRelatedField(read_only=True)
    beat = serializers.PrimaryKeyRelatedField(read_only=True)
    house = _scoped_fk("registry.House", required=False, allow_null=True)
    unit = _scoped_fk("registry.Unit", required=False, allow_null=True)
    officer = _scoped_fk(
        "stations.Officer", required=False, allow_null=True, help_text="Default: the caller."
    )
    household_head = _scoped_fk("beats.HouseholdHead", required=False, allow_null=True)
    address = serializers.SerializerMethodField()
    persons = VisitPersonSerializer(many=True, read_only=True)
    confirmed = _person_list("Residents confirmed as registered: marked verified.")
    changed = _person_list("Residents whose details changed: the registry record needs correcting.")
    moved_out = _person_list("Registered residents who no longer live here.")
    conflict = ConflictSerializer(required=False, allow_null=True, write_only=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "station",
            "beat",
            "officer",
            "household_head",
            "house",
            "unit",
            "address",
            "visited_on",
            "purpose",
            "met",
            "notes",
            "persons",
            "confirmed",
            "changed",
            "moved_out",
            "conflict",
            "dispute",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "station", "beat", "dispute", "created_at", "updated_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_address(self, obj: Visit) -> str | None:
        if obj.house_id and obj.house.address_id:
            return obj.house.address.full_text
        if obj.unit_id and obj.unit.address_id:
            return obj.unit.address.full_text
        return None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("house") and not attrs.get("unit"):
            raise serializers.ValidationError({"house": [_("Name the house or the unit visited.")]})
        return attrs


# --- sentiment reports --------------------------------------------------------------------------


class SentimentStepSerializer(serializers.ModelSerializer):
    from_state = serializers.ChoiceField(
        choices=SentimentState.choices, allow_blank=True, read_only=True, help_text="Empty on the first step."
    )
    to_state = serializers.ChoiceField(choices=SentimentState.choices, read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SentimentStep
        fields = [
            "id",
            "from_state",
            "to_state",
            "at",
            "note",
            "department",
            "user",
            "officer",
            "recorded_at",
        ]
        read_only_fields = fields


class SentimentReportSerializer(serializers.ModelSerializer):
    """A sentiment report with its triage timeline. ``state`` moves only through ``triage/``."""

    station = _scoped_fk("stations.Station", required=False, help_text="Default: the caller's own station.")
    beat = _scoped_fk("beats.Beat", required=False, allow_null=True)
    community = _scoped_fk("beats.Community", required=False, allow_null=True)
    officer = _scoped_fk(
        "stations.Officer", required=False, allow_null=True, help_text="Default: the caller."
    )
    household_head = _scoped_fk("beats.HouseholdHead", required=False, allow_null=True)
    steps = SentimentStepSerializer(many=True, read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = SentimentReport
        fields = [
            "id",
            "station",
            "beat",
            "community",
            "reporter_kind",
            "officer",
            "household_head",
            "category",
            "urgency",
            "title",
            "place",
            "people",
            "people_count",
            "account",
            "reported_on",
            "state",
            "department",
            "closed_on",
            "last_action_at",
            "allowed_transitions",
            "steps",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "state",
            "department",
            "closed_on",
            "last_action_at",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=SentimentState.choices)))
    def get_allowed_transitions(self, obj: SentimentReport) -> list[str]:
        from disputes.sentiment import allowed_moves

        return list(allowed_moves(obj.state))


class TriageRequestSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=SentimentState.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    department = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="Required when passing it on."
    )
    at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text="Default: now.")
