from django.urls import path

from stations import views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("accounts/two-factor/enrol/", views.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path("", views.HomeView.as_view(), name="home"),
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("officers/", views.OfficerListView.as_view(), name="officer_list"),
    path("audit/denied/", views.DeniedAccessListView.as_view(), name="denied_access"),
    path("strength/", views.PoliceStrengthView.as_view(), name="police_strength"),
]
