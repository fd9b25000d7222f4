from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from stations.choices import Role

# Roles that may write through the API; API clients only when granted, the rest read.
WRITER_ROLES = {Role.OFFICER, Role.STATION_HEAD, Role.PROVINCE_STAFF}


def can_write(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.API_CLIENT:
        return bool(user.api_can_write)
    return user.role in WRITER_ROLES


class PortalPermission(permissions.BasePermission):
    """Signed in to read; a writing role (or a granted API client) to write. What may be seen at all is
    decided by the jurisdiction scope of the queryset, not here."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_write(user)
