from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("scores/<int:pk>/", views.ScoreDetailView.as_view(), name="score"),
    path("scores/<int:pk>/appeal/", views.AppealCreateView.as_view(), name="appeal_create"),
    path("appeals/", views.AppealListView.as_view(), name="appeals"),
    path("appeals/<int:pk>/decide/", views.AppealDecideView.as_view(), name="appeal_decide"),
    path("indicators/", views.IndicatorListView.as_view(), name="indicators"),
    path("indicators/<int:pk>/edit/", views.IndicatorEditView.as_view(), name="indicator_edit"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("ledgers/", views.LedgerCatalogueView.as_view(), name="ledgers"),
    path("ledgers/<int:pk>/", views.LedgerDetailView.as_view(), name="ledger"),
    path("ledgers/<int:pk>/xlsx/", views.LedgerXlsxView.as_view(), name="ledger_xlsx"),
    path("inventory/", views.InventoryView.as_view(), name="inventory"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
]
