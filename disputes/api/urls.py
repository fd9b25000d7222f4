from rest_framework.routers import SimpleRouter

from disputes.api.views import DisputeViewSet, VisitViewSet

router = SimpleRouter()
router.register("disputes", DisputeViewSet)
router.register("visits", VisitViewSet)

urlpatterns = [*router.urls]
