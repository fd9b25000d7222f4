"""The registry's API, mounted at ``/api/v1/registry/`` (see portal/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from registry.api import views

router = SimpleRouter()
router.register("addresses", views.AddressViewSet, basename="registry-address")
router.register("persons", views.PersonViewSet, basename="registry-person")
router.register("units", views.UnitViewSet, basename="registry-unit")
router.register("houses", views.HouseViewSet, basename="registry-house")

# --- imports, quality and inspections (h6b appends their router.register lines below) -----------
# Imports, data-quality rates and key-venue inspections (registry/api/views_ops.py).
from registry.api.views_ops import ImportJobViewSet, InspectionViewSet, QualityRateViewSet  # noqa: E402

router.register("imports", ImportJobViewSet, basename="registry-import")
router.register("quality", QualityRateViewSet, basename="registry-quality")
router.register("inspections", InspectionViewSet, basename="registry-inspection")

# --- end of h6b's lines ---------------------------------------------------------------------------

urlpatterns = [
    path("lookup/person/", views.PersonLookupView.as_view(), name="registry-lookup-person"),
    path("lookup/unit/", views.UnitLookupView.as_view(), name="registry-lookup-unit"),
    *router.urls,
]
