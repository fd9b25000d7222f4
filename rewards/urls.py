from django.urls import path

from rewards import views

app_name = "rewards"

urlpatterns = [
    path("", views.AwardListView.as_view(), name="index"),
    path("awards/new/", views.AwardCreateView.as_view(), name="award_create"),
    path("batches/", views.BatchListView.as_view(), name="batches"),
    path("batches/new/", views.BatchCreateView.as_view(), name="batch_create"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch"),
    path("share/", views.ShareView.as_view(), name="share"),
    path("points/", views.PointsView.as_view(), name="points"),
    path("per-event/", views.EventRewardListView.as_view(), name="event_rewards"),
]
