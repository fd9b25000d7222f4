"""Session lifetime: an absolute cap, and sessions ended by logout elsewhere or a revocation.

Idle expiry needs no code: the session cookie lives ``SESSION_IDLE_MINUTES`` and every request
renews it (``SESSION_SAVE_EVERY_REQUEST``). Disabled users lose their sessions because Django's
``ModelBackend`` no longer loads an inactive user.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
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
