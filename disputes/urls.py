from django.urls import path

from disputes import views

app_name = "disputes"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("list/", views.DisputeListView.as_view(), name="list"),
    path("new/", views.DisputeCreateView.as_view(), name="create"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("<int:pk>/", views.DisputeDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DisputeEditView.as_view(), name="edit"),
    path("<int:pk>/step/", views.TransitionView.as_view(), name="transition"),
    path("<int:pk>/parties/new/", views.PartyAddView.as_view(), name="party_add"),
    path("<int:pk>/sessions/new/", views.SessionCreateView.as_view(), name="session_create"),
    path("<int:pk>/follow-ups/new/", views.FollowUpScheduleView.as_view(), name="followup_schedule"),
    path(
        "<int:pk>/follow-ups/<int:followup_pk>/record/",
        views.FollowUpRecordView.as_view(),
        name="followup_record",
    ),
]
