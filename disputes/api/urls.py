from rest_framework.routers import SimpleRouter

from disputes.api.views import DisputeViewSet

router = SimpleRouter()
router.register("disputes", DisputeViewSet)

urlpatterns = [*router.urls]
