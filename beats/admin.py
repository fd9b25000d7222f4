"""Admin for community policing (province administrators). Check-ins are read-only: they are kept
as recorded and only reviewed through the station's pages or the API."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from beats.models import (
    Beat,
    BeatAssignment,
    CheckIn,
    CheckInPolicy,
    Community,
    EightNosBreach,
    EightNosStatus,
    HouseholdHead,
    HouseholdHeadActivity,
    MonthlyCompliance,
    PoliceRoom,
)


@admin.register(Beat)
class BeatAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "station", "officer", "officer_full_time"]
    list_filter = ["kind", "officer_full_time"]
    search_fields = ["code", "name"]
    raw_id_fields = ["station"]
    # The dedicated officer changes through the assignment service, which keeps the history.
    readonly_fields = ["officer", "officer_full_time"]


@admin.register(BeatAssignment)
class BeatAssignmentAdmin(admin.ModelAdmin):
    list_display = ["beat", "officer", "full_time", "start", "end"]
    raw_id_fields = ["beat", "officer"]


@admin.register(PoliceRoom)
class PoliceRoomAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "station", "beat", "named_after", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["station", "beat", "named_after"]


@admin.register(CheckInPolicy)
class CheckInPolicyAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "days_required", "max_accuracy_m", "max_speed_kmh", "max_jump_km", "set_by"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["at", "officer", "beat", "inside_beat", "flags", "counts", "review"]
    list_filter = ["inside_beat", "counts", "review", "source"]
    raw_id_fields = ["officer", "beat", "station", "reviewed_by"]
    date_hierarchy = "day"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MonthlyCompliance)
class MonthlyComplianceAdmin(admin.ModelAdmin):
    list_display = ["month", "officer", "station", "days_checked", "days_required", "met", "computed_at"]
    list_filter = ["met"]
    raw_id_fields = ["officer", "station", "beat"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "station", "beat"]
    search_fields = ["code", "name"]
    raw_id_fields = ["station", "beat"]


@admin.register(EightNosStatus)
class EightNosStatusAdmin(admin.ModelAdmin):
    list_display = ["community", "year", "no_homicide", "no_gangs", "no_telecom_fraud", "no_drugs", "certified_on"]
    list_filter = ["year"]
    raw_id_fields = ["community"]


@admin.register(EightNosBreach)
class EightNosBreachAdmin(admin.ModelAdmin):
    list_display = ["community", "item", "occurred_on", "case_number"]
    list_filter = ["item"]
    raw_id_fields = ["community", "recorded_by"]


@admin.register(HouseholdHead)
class HouseholdHeadAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "station", "source", "appointed_on", "is_active"]
    list_filter = ["source", "is_active"]
    search_fields = ["name", "national_id"]
    raw_id_fields = ["community", "station", "appointed_by"]


@admin.register(HouseholdHeadActivity)
class HouseholdHeadActivityAdmin(admin.ModelAdmin):
    list_display = ["head", "kind", "occurred_on", "status", "decided_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["head", "station", "reported_by", "decided_by"]
