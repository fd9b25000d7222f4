"""Base viewsets every app's API uses: jurisdiction applied once, here, for every request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import viewsets
from rest_framework.request import Request

from common.audit import audit_attach
from stations.jurisdiction import record_404, scope


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

    def get_object(self) -> Any:
        """The object of a detail route; a 404 (out of scope or missing: the same answer) is logged
        in ``DeniedAccess``, which alone tells the two apart."""
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            field = self.lookup_field  # type: ignore[attr-defined]
            value = self.kwargs.get(self.lookup_url_kwarg or field)  # type: ignore[attr-defined]
            if value is not None:
                record_404(
                    user=self.request.user, model=self.get_queryset().model, lookup={field: value},
                    path=self.request.path, method=self.request.method or "",
                )
            raise


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
