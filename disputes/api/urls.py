from rest_framework.routers import SimpleRouter

from disputes.api.views import DisputeViewSet, SentimentReportViewSet, VisitViewSet

router = SimpleRouter()
router.register("disputes", DisputeViewSet)
router.register("visits", VisitViewSet)
router.register("sentiment-reports", SentimentReportViewSet)

urlpatterns = [*router.urls]
