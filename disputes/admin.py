"""Admin of the disputes app: read-mostly views for superusers. States are not editable here; the
workflow (``disputes.services.dispute_transition``) is the only way a dispute moves."""

from django.contrib import admin

from disputes.models import Dispute, DisputeMonth, FollowUp, MediationSession, Party, Transition


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    raw_id_fields = ["person"]


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "at", "note", "user", "officer", "recorded_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class SessionInline(admin.TabularInline):
    model = MediationSession
    extra = 0
    raw_id_fields = ["officer", "recorded_by"]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    raw_id_fields = ["officer", "recorded_by"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "station", "kind", "risk", "state", "found_on", "closed_on"]
    list_filter = ["state", "kind", "risk"]
    search_fields = ["title"]
    raw_id_fields = ["station", "beat", "community", "officer"]
    readonly_fields = ["state", "closed_on", "last_action_at", "created_by", "created_at", "updated_at"]
    show_full_result_count = False
    inlines = [PartyInline, SessionInline, FollowUpInline, TransitionInline]


@admin.register(DisputeMonth)
class DisputeMonthAdmin(admin.ModelAdmin):
    list_display = ["station", "month", "found", "resolved", "criminal", "homicide", "computed_at"]
    raw_id_fields = ["station"]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
