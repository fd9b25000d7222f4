from rest_framework.routers import SimpleRouter

from evaluation.api.views import AssessmentViewSet, LedgerViewSet

router = SimpleRouter()
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("ledgers", LedgerViewSet, basename="ledger")

urlpatterns = [*router.urls]
