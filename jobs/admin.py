"""The job records, read-only in the admin (superusers): what is queued, running, failed and why."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id",
        "task",
        "status",
        "requested_by",
        "created_at",
        "sent_at",
        "sends",
        "attempts",
        "finished_at",
    ]
    list_filter = ["status", "task"]
    search_fields = ["task", "idempotency_key", "requested_by"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
