"""API token authentication: knox's, in one query a request.

knox's ``TokenAuthentication`` reads the token with its user, then loads *every* token of that user
on every request to delete the expired ones (``_cleanup_token``), and the jurisdiction scope then
loads a regional user's home region with a query of its own. Here the token, its user and the user's
home unit come in one query (an officer's unmasked read logs the station's county), and only the
presented token's own expiry is checked (an expired token is deleted and refused, as knox does); the
other expired tokens are purged hourly by ``stations.tasks.purge_expired_tokens``. Hashing,
constant-time comparison, expiry, refresh and the inactive-user check are knox's.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        msg = _("Invalid token.")
        text = token.decode("utf-8")
        candidates = (
            get_token_model()
            .objects.filter(token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user", "user__home_station", "user__home_region")
        )
        for auth_token in candidates:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token: Any) -> bool:
        """Delete and skip this token if it has expired (knox also sweeps the user's other tokens here,
        a query on every request; the hourly purge does that)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of this class: knox's (``Authorization: Token <token>``)."""

    target_class = "stations.api.authentication.TokenAuthentication"
