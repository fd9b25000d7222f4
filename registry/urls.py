"""Pages of the registry, in the ``registry`` namespace. The operations pages (quality, imports,
inspections) are in ``registry/urls_ops.py``."""

from django.urls import include, path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("persons/", views.PersonListView.as_view(), name="person_list"),
    path("persons/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("persons/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("persons/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("addresses/", views.AddressBrowserView.as_view(), name="address_browser"),
    path("addresses/suggest/", views.AddressSuggestView.as_view(), name="address_suggest"),
    path("addresses/new/", views.AddressCreateView.as_view(), name="address_create"),
    path("addresses/<int:pk>/", views.AddressBrowserView.as_view(), name="address_detail"),
    path("addresses/<int:pk>/edit/", views.AddressEditView.as_view(), name="address_edit"),
    path("houses/", views.HouseListView.as_view(), name="house_list"),
    path("houses/new/", views.HouseCreateView.as_view(), name="house_create"),
    path("houses/<int:pk>/", views.HouseDetailView.as_view(), name="house_detail"),
    path("houses/<int:pk>/edit/", views.HouseEditView.as_view(), name="house_edit"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/trade-fields/", views.UnitTradeFieldsView.as_view(), name="unit_trade_fields"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
    path("duplicates/", views.DuplicateQueueView.as_view(), name="duplicates"),
    path("duplicates/find/", views.DuplicateFindView.as_view(), name="duplicates_find"),
    path("duplicates/<int:pk>/merge/", views.DuplicateDecideView.as_view(merge=True), name="duplicate_merge"),
    path("duplicates/<int:pk>/dismiss/", views.DuplicateDecideView.as_view(merge=False), name="duplicate_dismiss"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
    # Data quality, imports and key-venue inspections.
    path("", include("registry.urls_ops")),
]
