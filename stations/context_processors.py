from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "home_unit": user.home_unit if user is not None and user.is_authenticated else None,
        "is_production": settings.PRODUCTION,
        "two_factor_required": settings.TWO_FACTOR_REQUIRED,
    }
