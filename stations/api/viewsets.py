"""Base viewsets every app's API uses: jurisdiction applied once, here, for every request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.request import Request

from common.audit import audit_attach
from stations.jurisdiction import scope


class ScopedViewSetMixin:
    """Filters every queryset to the caller's jurisdiction, so an outside object answers 404 exactly
    like a missing one, and ties the audit trail of writes to the authenticated API user."""

    request: Request

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.user and request.user.is_authenticated:
            audit_attach(user=request.user.pk, username=request.user.get_username())

    def get_queryset(self) -> QuerySet[Any]:
        return scope(super().get_queryset(), self.request.user)  # type: ignore[misc]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
