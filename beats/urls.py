from django.urls import path

from beats import views

app_name = "beats"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="index"),
    path("areas/", views.BeatListView.as_view(), name="beat_list"),
    path("areas/<int:pk>/", views.BeatDetailView.as_view(), name="beat_detail"),
    path("areas/<int:pk>/assign/", views.BeatAssignView.as_view(), name="beat_assign"),
    path("rooms/", views.RoomListView.as_view(), name="room_list"),
    path("rooms/new/", views.RoomFormView.as_view(), name="room_create"),
    path("rooms/<int:pk>/edit/", views.RoomFormView.as_view(), name="room_update"),
    path("check-in/", views.CheckInPageView.as_view(), name="checkin"),
    path("check-ins/", views.CheckInListView.as_view(), name="checkin_list"),
    path("check-ins/<int:pk>/review/", views.CheckInReviewView.as_view(), name="checkin_review"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("communities/", views.CommunityListView.as_view(), name="community_list"),
    path("communities/<int:pk>/", views.CommunityDetailView.as_view(), name="community_detail"),
    path("communities/<int:pk>/breaches/", views.BreachCreateView.as_view(), name="breach_create"),
    path("communities/<int:pk>/certify/", views.CertifyView.as_view(), name="community_certify"),
    path("household-heads/", views.HeadListView.as_view(), name="head_list"),
    path("household-heads/new/", views.HeadCreateView.as_view(), name="head_create"),
    path("household-heads/<int:pk>/", views.HeadDetailView.as_view(), name="head_detail"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/decide/", views.ActivityDecideView.as_view(), name="activity_decide"),
]
