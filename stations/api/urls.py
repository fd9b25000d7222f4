from django.urls import path
from knox import views as knox_views
from rest_framework.routers import SimpleRouter

from stations.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet)
router.register("stations", views.StationViewSet)
router.register("officers", views.OfficerViewSet)

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", knox_views.LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", knox_views.LogoutAllView.as_view(), name="api-logout-all"),
    *router.urls,
]
