from django.urls import path

from disputes import views, views_prevention, views_sentiment, views_visits

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
    path("visits/", views_visits.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", views_visits.VisitStartView.as_view(), name="visit_start"),
    path(
        "visits/new/house/<int:pk>/", views_visits.VisitCreateView.as_view(kind="house"), name="visit_house"
    ),
    path("visits/new/unit/<int:pk>/", views_visits.VisitCreateView.as_view(kind="unit"), name="visit_unit"),
    path("visits/coverage/", views_visits.CoverageView.as_view(), name="visit_coverage"),
    path("visits/coverage/beat/<int:pk>/", views_visits.NeverVisitedView.as_view(), name="never_visited"),
    path("visits/<int:pk>/", views_visits.VisitDetailView.as_view(), name="visit_detail"),
    path("sentiment/", views_sentiment.SentimentListView.as_view(), name="sentiment_list"),
    path("sentiment/new/", views_sentiment.SentimentCreateView.as_view(), name="sentiment_create"),
    path("sentiment/counts/", views_sentiment.SentimentCountsView.as_view(), name="sentiment_counts"),
    path("prevention/", views_prevention.PreventionView.as_view(), name="prevention"),
    path("prevention/new/", views_prevention.PreventionCreateView.as_view(), name="prevention_create"),
    path("training/", views_prevention.TrainingView.as_view(), name="training"),
    path("training/new/", views_prevention.TrainingCreateView.as_view(), name="training_create"),
    path("sentiment/<int:pk>/", views_sentiment.SentimentDetailView.as_view(), name="sentiment_detail"),
    path(
        "<int:pk>/follow-ups/<int:followup_pk>/record/",
        views.FollowUpRecordView.as_view(),
        name="followup_record",
    ),
]
