from rest_framework.routers import SimpleRouter

from beats.api import views

router = SimpleRouter()
router.register("beats", views.BeatViewSet, basename="beat")
router.register("police-rooms", views.PoliceRoomViewSet, basename="police-room")
router.register("check-ins", views.CheckInViewSet, basename="check-in")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("household-heads", views.HouseholdHeadViewSet, basename="household-head")
router.register("household-head-activities", views.HouseholdHeadActivityViewSet, basename="household-head-activity")

urlpatterns = [*router.urls]
