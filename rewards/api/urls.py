from rest_framework.routers import SimpleRouter

from rewards.api import views

router = SimpleRouter()
router.register("awards", views.AwardViewSet, basename="award")
router.register("award-batches", views.AwardBatchViewSet, basename="award-batch")
router.register("household-head-points", views.PointEntryViewSet, basename="household-head-point")
router.register("per-event-rewards", views.EventRewardViewSet, basename="per-event-reward")

urlpatterns = [*router.urls]
