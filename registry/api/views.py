"""The registry's sync API: addresses, persons, units and houses under ``/api/v1/registry/``.

Lists are in ``(updated_at, id)`` order with ``updated_since`` and a two-column cursor
(``registry.api.pagination.SyncPagination``) and include tombstones (``deleted: true``) so a
syncing client sees deletions; ``?deleted=false`` leaves them out. Reads of a tombstone still answer
200; writes to one answer 404. Writes go through ``registry.services``. Personal identifiers are
masked by role (``registry.masking``), and a response that shows anyone unmasked writes one
access-log row; send ``?purpose=…`` to say why.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import selectors, services
from registry.api.pagination import SyncPagination
from registry.api.serializers import (
    PERSON_ROW_COLUMNS,
    AddressSerializer,
    HouseSerializer,
    PersonLookupSerializer,
    PersonSerializer,
    UnitLookupSerializer,
    UnitSerializer,
    person_rows,
)
from registry.filters import AddressFilterSet, HouseFilterSet, PersonFilterSet, UnitFilterSet
from registry.masking import MaskingPolicy, log_unmasked_read, policy_for, purpose_of
from registry.models import Address, House, Person, Unit
from stations.api.viewsets import ScopedModelViewSet

PURPOSE = OpenApiParameter(
    "purpose", OpenApiTypes.STR, description="Why you read these persons (kept in the access log of unmasked reads)."
)


class MaskingMixin:
    """Builds the request's masking policy once, hands it to the serializers, and after a successful
    response writes the one access-log row of the persons it showed unmasked."""

    request: Request
    action: str | None
    basename: str

    @property
    def masking(self) -> MaskingPolicy:
        policy = getattr(self, "_masking_policy", None)
        if policy is None:
            policy = self._masking_policy = policy_for(self.request.user, self.request)
        return policy

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["masking"] = self.masking
        return context

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        policy = getattr(self, "_masking_policy", None)
        if policy is not None and 200 <= response.status_code < 300:
            log_unmasked_read(policy=policy, action=self.log_action(request), path=request.get_full_path(), purpose=purpose_of(request))
        return response

    def log_action(self, request: Request) -> str:
        """``api.<collection>.<verb>`` (at most 20 characters), e.g. ``api.person.list``."""
        verb = {"retrieve": "get", "partial_update": "update"}.get(self.action or "", self.action or request.method.lower())
        return f"api.{self.basename.removeprefix('registry-')}.{verb}"


# Query parameters the pagination and the access log read; any other parameter goes to the FilterSet.
_NOT_FILTERS = frozenset({"cursor", "page_size", "updated_since", "purpose", "format"})


class RegistryViewSet(MaskingMixin, ScopedModelViewSet):
    """Scoped (by the base class), synced, masked; writes through the ``create``/``update``/``delete``
    services named in ``services_for``."""

    pagination_class = SyncPagination
    service_prefix = ""

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A plain sync page (only cursor/page_size/updated_since/purpose) has nothing to filter: skip
        # building the FilterSet and its form (a third of the request's Python time). An empty
        # FilterSet leaves the queryset as it is, so the result is the same.
        if self.request.query_params.keys() <= _NOT_FILTERS:
            return queryset
        return super().filter_queryset(queryset)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action in ("update", "partial_update", "destroy"):
            qs = qs.filter(deleted=False)  # a tombstone cannot be edited or deleted again: 404
        return qs

    def _service(self, verb: str) -> Any:
        return getattr(services, f"{self.service_prefix}_{verb}")

    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = self._service("create")(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        serializer.instance = self._service("update")(
            user=self.request.user, **{self.service_prefix: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance: Any) -> None:
        self._service("delete")(user=self.request.user, **{self.service_prefix: instance})


_SYNC_DOC = (
    "In (updated_at, id) order, tombstones included; `updated_since`, `cursor` (from `next` or "
    "`sync_cursor`) and `page_size` ≤ 1000. Rows still being written by open transactions are held "
    "back until they commit (the sync horizon), so nothing is missed or repeated."
)


@extend_schema_view(list=extend_schema(description=_SYNC_DOC, parameters=[PURPOSE]))
class AddressViewSet(RegistryViewSet):
    """Standard addresses (标准地址)."""

    queryset = Address.objects.all()
    serializer_class = AddressSerializer
    filterset_class = AddressFilterSet
    service_prefix = "address"

    def perform_create(self, serializer: serializers.ModelSerializer) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.address_create(user=self.request.user, **data)

    def perform_update(self, serializer: serializers.ModelSerializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in ("name", "beat", "latitude", "longitude")}
        serializer.instance = services.address_update(user=self.request.user, address=serializer.instance, **data)


@extend_schema_view(
    list=extend_schema(description=_SYNC_DOC, parameters=[PURPOSE]),
    retrieve=extend_schema(parameters=[PURPOSE]),
)
class PersonViewSet(RegistryViewSet):
    """Actual population (实有人口). National IDs and phones are masked unless your role grants them."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    service_prefix = "person"

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The sync list is the registry's hottest read: rows are presented by a lean function that
        # gives exactly PersonSerializer's output (tests/registry/test_api.py compares them) without
        # DRF's per-field machinery.
        rows = self.filter_queryset(self.get_queryset()).values(*PERSON_ROW_COLUMNS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(person_rows(page, masking=self.masking))


@extend_schema_view(
    list=extend_schema(description=_SYNC_DOC, parameters=[PURPOSE]),
    retrieve=extend_schema(parameters=[PURPOSE]),
)
class HouseViewSet(RegistryViewSet):
    """Actual houses (实有房屋)."""

    queryset = House.objects.all()
    serializer_class = HouseSerializer
    filterset_class = HouseFilterSet
    service_prefix = "house"


@extend_schema_view(
    list=extend_schema(description=_SYNC_DOC, parameters=[PURPOSE]),
    retrieve=extend_schema(parameters=[PURPOSE]),
)
class UnitViewSet(RegistryViewSet):
    """Actual units (实有单位)."""

    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    service_prefix = "unit"


# --- "enter once" look-ups ------------------------------------------------------------------------


class _LookupView(MaskingMixin, APIView):
    """A small JSON look-up for forms: ``{"found": false}`` or ``{"found": true, "<kind>": {...}}``,
    within the caller's jurisdiction, masked by role and access-logged like any other read."""

    basename = "lookup"
    action = "get"

    def log_action(self, request: Request) -> str:
        return f"api.{self.basename}"

    def get_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "masking": self.masking, "view": self}


class PersonLookupView(_LookupView):
    basename = "lookup.person"

    @extend_schema(
        parameters=[OpenApiParameter("national_id", OpenApiTypes.STR, required=True), PURPOSE],
        responses={200: OpenApiTypes.OBJECT},
        description="Enter once: the person registered under a national ID, to fill a form with.",
    )
    def get(self, request: Request) -> Response:
        person = selectors.person_by_national_id(user=request.user, national_id=request.query_params.get("national_id", ""))
        if person is None:
            return Response({"found": False})
        return Response({"found": True, "person": PersonLookupSerializer(person, context=self.get_serializer_context()).data})


class UnitLookupView(_LookupView):
    basename = "lookup.unit"

    @extend_schema(
        parameters=[OpenApiParameter("uscc", OpenApiTypes.STR, required=True), PURPOSE],
        responses={200: OpenApiTypes.OBJECT},
        description="Enter once: the unit registered under a unified social credit code.",
    )
    def get(self, request: Request) -> Response:
        unit = selectors.unit_by_uscc(user=request.user, uscc=request.query_params.get("uscc", ""))
        if unit is None:
            return Response({"found": False})
        return Response({"found": True, "unit": UnitLookupSerializer(unit, context=self.get_serializer_context()).data})
