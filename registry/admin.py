"""Admin of the registry's own records (superusers only in practice). The tables are huge: no
``COUNT(*)`` (the paginator estimates from PostgreSQL's statistics), no selects of millions of
addresses (raw ids), exact-match searches on indexed keys. The access log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest
from django.utils.functional import cached_property

from registry.models import AccessLog, Address, DuplicateCandidate, House, Person, Residence, Unit


class EstimatedCountPaginator(Paginator):
    """Counts exactly only when filtered; an unfiltered table's size comes from ``pg_class``."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [self.object_list.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] > 10_000:
                return int(row[0])
        return super().count


class RegistryAdmin(admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("created_at", "updated_at")


@admin.register(Address)
class AddressAdmin(RegistryAdmin):
    list_display = ("code", "full_text", "level", "station", "deleted")
    list_filter = ("level", "deleted")
    search_fields = ("=code",)
    raw_id_fields = ("parent", "county", "beat", "station", "verified_by", "import_job")


@admin.register(Person)
class PersonAdmin(RegistryAdmin):
    list_display = ("name", "national_id", "category", "station", "deleted")
    list_filter = ("category", "deleted")
    search_fields = ("=national_id", "=phone")
    raw_id_fields = ("address", "station", "verified_by", "import_job")


@admin.register(House)
class HouseAdmin(RegistryAdmin):
    list_display = ("address", "use", "owner_name", "station", "deleted")
    list_filter = ("use", "is_rented", "deleted")
    search_fields = ("=owner_national_id",)
    raw_id_fields = ("address", "station", "verified_by", "import_job")


@admin.register(Unit)
class UnitAdmin(RegistryAdmin):
    list_display = ("name", "uscc", "kind", "station", "deleted")
    list_filter = ("kind", "deleted")
    search_fields = ("=uscc",)
    raw_id_fields = ("address", "station", "verified_by", "import_job")


@admin.register(Residence)
class ResidenceAdmin(admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ("person", "house", "relation", "start", "end")
    raw_id_fields = ("person", "house")


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("kind", "record_a", "record_b", "station", "score", "reason", "status")
    list_filter = ("kind", "status")
    raw_id_fields = ("station", "decided_by")


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ("at", "user", "action", "purpose", "path")
    search_fields = ("=user__username",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
