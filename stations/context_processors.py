from django.conf import settings
from django.http import HttpRequest

from stations.twofactor import has_authenticator, two_factor_required


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "home_unit": user.home_unit if signed_in else None,
        "is_production": settings.PRODUCTION,
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
        # The account menu offers two-factor sign-in to those for whom it is optional (station
        # officers; everyone while TWO_FACTOR_REQUIRED is off) and marks it on for those who have it.
        "has_authenticator": signed_in and has_authenticator(request),
        "two_factor_optional": signed_in and not two_factor_required(user),
    }
