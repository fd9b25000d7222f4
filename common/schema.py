"""The portal's OpenAPI: every operation documents the errors it can answer with, so API clients (and
the contract test) know a 400, 401, 403, 404 or 429 is part of the interface, not a surprise."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorDetail = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})

ERRORS: dict[str, OpenApiResponse] = {
    "400": OpenApiResponse(response=OpenApiTypes.OBJECT, description="Validation errors: field → list of messages."),
    "401": OpenApiResponse(response=ErrorDetail, description="Not signed in, or the token is not valid."),
    "403": OpenApiResponse(response=ErrorDetail, description="The caller's role may not do this."),
    "404": OpenApiResponse(
        response=ErrorDetail, description="No such object in the caller's jurisdiction (or an invalid page cursor)."
    ),
    "429": OpenApiResponse(response=ErrorDetail, description="Too many requests for this token."),
}


class PortalAutoSchema(AutoSchema):
    """``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``: adds the shared error responses to every operation."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # 404 also on collections: an invalid or stale ``cursor`` is "not found" in DRF's pagination.
        for code, response in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
