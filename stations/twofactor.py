"""Two-factor sign-in (TOTP, django-otp): who needs it, and whether a request has it.

With ``TWO_FACTOR_REQUIRED`` on (the default under ``PORTAL_PRODUCTION``):

* county, city and province staff and superusers must give a TOTP code after their password, in the
  browser (``TwoFactorMiddleware`` sends them to the verify or enrolment page until they do) and at
  the token endpoint (``otp_token``);
* revealing a person's full data needs a verified second factor (``registry.masking.policy_for`` asks
  :func:`second_factor_verified`): a browser session verified with a code, or an API token of a user
  with a confirmed device (such a user must give a code to get a token, and confirming a device ends
  the tokens issued before it, so every live token of theirs was issued with a code).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from stations.choices import Role

TWO_FACTOR_ROLES = frozenset({Role.COUNTY_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF})


def two_factor_required(user: Any) -> bool:
    """Whether ``user`` must give a second factor at sign-in."""
    if not settings.TWO_FACTOR_REQUIRED or user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.role in TWO_FACTOR_ROLES


def confirmed_device(user: Any) -> Any:
    """The user's enrolled (confirmed) TOTP device, or None."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def second_factor_verified(user: Any, request: Any = None) -> bool:
    """Whether this request carries a verified second factor (always true with two-factor off)."""
    if not settings.TWO_FACTOR_REQUIRED:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    from knox.models import AuthToken

    if isinstance(getattr(request, "auth", None), AuthToken):  # an API token
        return confirmed_device(user) is not None
    is_verified = getattr(user, "is_verified", None)  # set by django_otp's OTPMiddleware
    return bool(is_verified()) if callable(is_verified) else False


# The account menu's "two-factor on" mark and enrolment link, without a query on every page: whether
# the user has an authenticator is noted in the session at sign-in, and a session verified with a
# code (enrolment verifies it too) has one. An authenticator an administrator deletes shows as on until
# the user's next sign-in.
SESSION_HAS_AUTHENTICATOR = "two_factor_has_authenticator"


def note_authenticator_at_sign_in(request: Any, user: Any) -> None:
    """``user_logged_in``: note in the new session whether the user has a confirmed authenticator."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_HAS_AUTHENTICATOR] = confirmed_device(user) is not None


def has_authenticator(request: Any) -> bool:
    """Whether the signed-in user of ``request`` has a confirmed authenticator (as of sign-in)."""
    if getattr(request.user, "otp_device", None) is not None:  # verified with a code in this session
        return True
    session = getattr(request, "session", None)
    return bool(session.get(SESSION_HAS_AUTHENTICATOR, False)) if session is not None else False
