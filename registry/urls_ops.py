"""Pages of the registry's operations — data quality, imports, key-venue inspections, included by
``registry/urls.py`` into the ``registry`` namespace."""

from django.urls import path

from registry import views_ops

urlpatterns = [
    path("quality/", views_ops.QualityView.as_view(), name="quality"),
    path("quality/issues/", views_ops.QualityIssueListView.as_view(), name="quality-issues"),
    path("imports/", views_ops.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views_ops.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/report/", views_ops.ImportReportView.as_view(), name="import-report"),
    path("imports/<int:pk>/resume/", views_ops.ImportResumeView.as_view(), name="import-resume"),
    path("inspections/", views_ops.InspectionsView.as_view(), name="inspections"),
]
