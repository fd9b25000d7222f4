from django.urls import path
from rest_framework.routers import SimpleRouter

from stations.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet)
router.register("stations", views.StationViewSet)
router.register("officers", views.OfficerViewSet)

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", views.LogoutAllView.as_view(), name="api-logout-all"),
    *router.urls,
]
