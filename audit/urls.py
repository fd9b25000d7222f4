from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("events/", views.ChangeEventListView.as_view(), name="events"),
    path("export/access-log.csv", views.AccessLogExportView.as_view(), name="export_access_log"),
    path("export/denied.csv", views.DeniedAccessExportView.as_view(), name="export_denied"),
    path("export/events.csv", views.ChangeEventExportView.as_view(), name="export_events"),
]
