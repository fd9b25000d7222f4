from __future__ import annotations

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from knox import views as knox_views
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stations import services
from stations.api.authentication import TokenAuthentication
from stations.api.serializers import (
    OfficerSerializer,
    RegionSerializer,
    StationSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from stations.api.viewsets import ScopedReadOnlyViewSet
from stations.filters import OfficerFilterSet, RegionFilterSet, StationFilterSet
from stations.models import Officer, Region, Station
from stations.twofactor import confirmed_device, two_factor_required


@extend_schema_view(post=extend_schema(request=None, responses={204: None}))
class LogoutView(knox_views.LogoutView):
    """End the token this request is authenticated with."""

    authentication_classes = [TokenAuthentication]


@extend_schema_view(post=extend_schema(request=None, responses={204: None}))
class LogoutAllView(knox_views.LogoutAllView):
    """End every API token of the caller (signing out of every client)."""

    authentication_classes = [TokenAuthentication]


class ObtainTokenView(APIView):
    """Exchange a username and password for an expiring API token.

    Five consecutive failures for a username lock it for ten minutes, as on the login page."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing or wrong credentials"),
            429: OpenApiResponse(description="Locked after too many failures"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = authenticate(
                request=request._request,
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
            )
        except AxesBackendPermissionDenied:
            user = None
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": _("Too many failed sign-ins: this account is locked for a while.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {"non_field_errors": [_("Unable to sign in with the credentials given.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if two_factor_required(user) or confirmed_device(user) is not None:
            code = serializer.validated_data.get("otp_token", "").strip()
            if not code or services.totp_verify(user=user, token=code) is None:
                return Response(
                    {"otp_token": [_("Give the current code of your authenticator (two-factor sign-in).")]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        instance, token = services.api_token_issue(user=user)
        return Response({"token": token, "expiry": instance.expiry})


class RegionViewSet(ScopedReadOnlyViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet


class StationViewSet(ScopedReadOnlyViewSet):
    queryset = Station.objects.all()
    serializer_class = StationSerializer
    filterset_class = StationFilterSet


class OfficerViewSet(ScopedReadOnlyViewSet):
    queryset = Officer.objects.all()
    serializer_class = OfficerSerializer
    filterset_class = OfficerFilterSet
