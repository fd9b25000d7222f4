"""The portal's URLs plus ``/bench/bare-persons/``: the same 50 persons by keyset, as bare as Django gets
(no auth, no scope, no masking, no DRF) — the yardstick for the persons list endpoint."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from registry.models import Person


def bare_persons(request: HttpRequest) -> JsonResponse:
    after = int(request.GET.get("after", 0))
    rows = list(
        Person.objects.filter(id__gt=after, deleted=False)
        .order_by("id")
        .values("id", "national_id", "name", "gender", "birth_date", "phone", "category", "station_id",
                "address_id", "verified_at", "updated_at", "deleted")[:50]
    )  # fmt: skip
    return JsonResponse({"results": rows, "next": rows[-1]["id"] if rows else None})


urlpatterns = [path("bench/bare-persons/", bare_persons), path("", include("portal.urls"))]
