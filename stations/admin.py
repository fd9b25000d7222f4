"""Admin of the stations app, scoped by jurisdiction.

A superuser sees everything. Any other staff user sees, through each model's ``for_user`` (one
rule, ``stations.jurisdiction``), only their own subtree; every foreign-key choice (station, region,
officer) offers and accepts only objects in that subtree, so a form cannot move an object out of it.
Writes that must keep the posting history consistent go through ``stations.services`` (enrolling an
officer, retiring officers); postings themselves are read-only here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.db.models import ForeignKey, Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stations import selectors, services
from stations.choices import Role
from stations.jurisdiction import scope
from stations.models import (
    DeniedAccess,
    EscortAssignment,
    Facility,
    HeatingRetrofit,
    Idea,
    Officer,
    Posting,
    Region,
    ServiceItem,
    Station,
    User,
)

SCOPED_TARGETS = (Region, Station, Officer)


def _is_province(user: Any) -> bool:
    region = getattr(user, "home_region", None)
    return bool(user.is_superuser or (region is not None and region.parent_id is None))


class ScopedAdmin(admin.ModelAdmin):
    """Rows and foreign-key choices limited to the staff user's jurisdiction."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else scope(qs, request.user)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if related in SCOPED_TARGETS and not request.user.is_superuser:
            kwargs["queryset"] = scope(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInline(admin.TabularInline):
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else scope(qs, request.user)


@admin.register(Region)
class RegionAdmin(ScopedAdmin):
    """The GB/T 2260 tree is official data: only superusers change it."""

    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)
    ordering = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


class FacilityInline(ScopedInline):
    model = Facility
    fields = ("kind", "available_since", "note")


class HeatingRetrofitInline(ScopedInline):
    model = HeatingRetrofit
    fields = ("completed_on", "funded_by", "amount_yuan")


@admin.register(Station)
class StationAdmin(ScopedAdmin):
    list_display = ("code", "name", "county", "kind", "phone", "is_active")
    list_filter = ("kind", "is_active", ("county__parent", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name", "address", "county__name")
    autocomplete_fields = ("county",)
    list_select_related = ("county",)
    inlines = (FacilityInline, HeatingRetrofitInline)
    ordering = ("code",)


class PostingInline(ScopedInline):
    model = Posting
    fields = ("station", "region", "start", "end")
    readonly_fields = fields
    can_delete = False
    ordering = ("-start",)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class OfficerAdminForm(forms.ModelForm):
    class Meta:
        model = Officer
        fields = ("badge_number", "name", "kind", "rank", "phone", "station", "region", "terminal_number", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            self.fields["region"].required = False
            self.fields["region"].help_text = _("Filled from the station when the officer is posted in one.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "region" not in self.fields:  # an existing officer: the posting is read-only here
            return data
        station = data.get("station")
        if station is not None:
            data["region"] = station.county
        elif data.get("region") is None:
            self.add_error("region", _("Choose a station or a region."))
        return data


@admin.register(Officer)
class OfficerAdmin(ScopedAdmin):
    """Officers are enrolled here with their opening posting; later moves go through postings (the
    current station and region are read-only once the officer exists)."""

    form = OfficerAdminForm
    list_display = ("badge_number", "name", "kind", "rank", "station", "region", "has_terminal", "is_active")
    list_filter = ("kind", "is_active", "station__kind", "region__level")
    search_fields = ("badge_number", "name", "terminal_number", "phone")
    autocomplete_fields = ("station", "region")
    list_select_related = ("station", "region")
    inlines = (PostingInline,)
    actions = ("retire_selected",)
    ordering = ("badge_number",)

    @admin.display(boolean=True, description=_("mobile police terminal"))
    def has_terminal(self, obj: Officer) -> bool:
        return obj.has_terminal

    def get_readonly_fields(self, request: HttpRequest, obj: Officer | None = None) -> tuple[str, ...]:
        return ("station", "region", "is_active") if obj is not None else ("is_active",)

    def save_model(self, request: HttpRequest, obj: Officer, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.officer_create(
            badge_number=obj.badge_number, name=obj.name, kind=obj.kind, station=obj.station,
            region=None if obj.station else obj.region, on=timezone.localdate(), rank=obj.rank, phone=obj.phone,
            terminal_number=obj.terminal_number, by=None if request.user.is_superuser else request.user,
        )
        obj.pk, obj.region = created.pk, created.region

    @admin.action(description=_("Take the selected officers out of service today"))
    def retire_selected(self, request: HttpRequest, queryset: QuerySet[Officer]) -> None:
        today = timezone.localdate()
        done = 0
        for officer in queryset.filter(is_active=True):
            services.officer_retire(officer=officer, on=today, by=None if request.user.is_superuser else request.user)
            done += 1
        self.message_user(request, _("%(n)d officers taken out of service.") % {"n": done}, messages.SUCCESS)


@admin.register(Posting)
class PostingAdmin(ScopedAdmin):
    """The posting history, read-only: postings change only through ``services.officer_post``."""

    list_display = ("officer", "station", "region", "start", "end")
    list_filter = ("region__level", ("end", admin.EmptyFieldListFilter), "station__kind")
    search_fields = ("officer__badge_number", "officer__name", "station__name", "region__name")
    list_select_related = ("officer", "station", "region")
    date_hierarchy = "start"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Facility)
class FacilityAdmin(ScopedAdmin):
    list_display = ("station", "kind", "available_since", "note")
    list_filter = ("kind",)
    search_fields = ("station__name", "station__code", "note")
    autocomplete_fields = ("station",)
    list_select_related = ("station",)


@admin.register(HeatingRetrofit)
class HeatingRetrofitAdmin(ScopedAdmin):
    list_display = ("station", "completed_on", "funded_by", "amount_yuan")
    list_filter = ("funded_by", "station__kind")
    search_fields = ("station__name", "station__code")
    autocomplete_fields = ("station",)
    list_select_related = ("station",)
    date_hierarchy = "completed_on"


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    """The province's catalogue: everyone with access may read it; province staff keep it."""

    list_display = ("code", "name", "category", "online", "self_service", "is_active")
    list_filter = ("category", "online", "self_service", "is_active")
    search_fields = ("code", "name")
    ordering = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_province(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_province(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_province(request.user) and super().has_delete_permission(request, obj)


class OpenAssignmentFilter(admin.SimpleListFilter):
    title = _("current")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Current")), ("no", _("Ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(start__lte=today).exclude(end__lt=today)
        if self.value() == "no":
            return queryset.filter(end__lt=today)
        return queryset


@admin.register(EscortAssignment)
class EscortAssignmentAdmin(ScopedAdmin):
    list_display = ("officer", "business_name", "business_code", "start", "end")
    list_filter = (OpenAssignmentFilter,)
    search_fields = ("business_name", "business_code", "officer__name", "officer__badge_number")
    autocomplete_fields = ("officer",)
    list_select_related = ("officer",)
    date_hierarchy = "start"


@admin.register(Idea)
class IdeaAdmin(ScopedAdmin):
    """Ideas belong where their author served when they sent them in (filled in on save)."""

    list_display = ("title", "officer", "station", "region", "submitted_on", "status")
    list_filter = ("status", "region__level")
    search_fields = ("title", "body", "officer__name", "officer__badge_number")
    autocomplete_fields = ("officer",)
    readonly_fields = ("station", "region")
    list_select_related = ("officer", "station", "region")
    date_hierarchy = "submitted_on"

    def save_model(self, request: HttpRequest, obj: Idea, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.station, obj.region = obj.officer.station, obj.officer.region
        super().save_model(request, obj, form, change)


# --- users ---------------------------------------------------------------------------------------------

ROLE_RANK = {
    Role.OFFICER: 1, Role.STATION_HEAD: 2, Role.COUNTY_STAFF: 3, Role.CITY_STAFF: 4, Role.PROVINCE_STAFF: 5,
}


def assignable_roles(user: Any) -> list[tuple[str, str]]:
    """Roles a staff user may give: none above their own; auditors and API clients only from the
    province."""
    if user.is_superuser:
        return list(Role.choices)
    own = ROLE_RANK.get(user.role, 0)
    allowed = [(value, label) for value, label in Role.choices if 0 < ROLE_RANK.get(value, 0) <= own]
    if _is_province(user):
        allowed += [(value, label) for value, label in Role.choices if value in (Role.AUDITOR, Role.API_CLIENT)]
    return allowed


class PortalUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "role", "home_station", "home_region")


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their role and home unit. A non-superuser sees the users homed in their subtree,
    may home users only there, gives no role above their own and cannot grant admin powers."""

    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    list_display = ("username", "first_name", "role", "home_station", "home_region", "is_active", "is_staff")
    list_filter = ("role", "is_active", "is_staff", "home_region__level")
    search_fields = ("username", "first_name", "last_name", "email", "officer__badge_number")
    list_select_related = ("home_station", "home_region")
    autocomplete_fields = ("home_station", "home_region", "officer")
    readonly_fields = ("sessions_revoked_at", "last_login", "date_joined")
    actions = ("disable_selected",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ("role", "home_station", "home_region", "officer", "api_can_write",
                                  "sessions_revoked_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Portal"), {"classes": ("wide",), "fields": ("role", "home_station", "home_region")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=selectors.user_list(user=request.user).values("pk"))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ("is_superuser", "is_staff", "groups", "user_permissions")
        return fields

    def formfield_for_foreignkey(self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.related_model
        if related in SCOPED_TARGETS and not request.user.is_superuser:
            kwargs["queryset"] = scope(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = assignable_roles(request.user)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            services.user_end_all_sessions(user=obj)

    @admin.action(description=_("Disable the selected users and end their sessions and tokens"))
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset.exclude(pk=request.user.pk):
            services.user_disable(user=user)
            done += 1
        self.message_user(request, _("%(n)d users disabled.") % {"n": done}, messages.SUCCESS)



@admin.register(DeniedAccess)
class DeniedAccessAdmin(ScopedAdmin):
    """The log of 404s on single objects: read-only (the table refuses updates and deletes anyway)."""

    list_display = ("at", "user", "outcome", "model", "object_id", "method", "path")
    list_filter = ("outcome", "model")
    search_fields = ("user__username", "object_id", "path")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
