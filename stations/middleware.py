"""Session lifetime: an absolute cap, and sessions ended by logout elsewhere or a revocation.

Idle expiry needs no code: the session cookie lives ``SESSION_IDLE_MINUTES`` and every request
renews it (``SESSION_SAVE_EVERY_REQUEST``). Disabled users lose their sessions because Django's
``ModelBackend`` no longer loads an inactive user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from stations.services import SESSION_LOGIN_AT_KEY


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now()
            stamp = request.session.get(SESSION_LOGIN_AT_KEY)
            login_at = datetime.fromisoformat(stamp) if stamp else None
            cap = timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
            revoked = user.sessions_revoked_at
            if login_at is None:  # signed in before this middleware was installed: count from now
                request.session[SESSION_LOGIN_AT_KEY] = now.isoformat()
                login_at = now
            if now - login_at > cap or (revoked is not None and login_at < revoked):
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class TwoFactorMiddleware:
    """Users who must sign in with a second factor (``stations.twofactor.two_factor_required``) reach
    only the two-factor pages and sign-out until this session is verified with a code; API calls made
    with such a session answer 403. Runs after django-otp's ``OTPMiddleware``."""

    OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from stations.twofactor import confirmed_device, two_factor_required

        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor verification is required.")}, status=403)
            target = "two_factor_verify" if confirmed_device(user) is not None else "two_factor_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
