"""Root URLs: pages, the admin, and the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common.metrics import metrics_view

api_v1 = [
    path("", include("stations.api.urls")),
    path("", include("beats.api.urls")),
    path("registry/", include("registry.api.urls")),
    path("", include("disputes.api.urls")),
    path("", include("evaluation.api.urls")),
    path("", include("rewards.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("stations.health")),  # /healthz: database, Redis and worker heartbeat
    path("metrics", metrics_view, name="metrics"),  # Prometheus; loopback, allow-list or METRICS_TOKEN only
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("beats/", include("beats.urls")),
    path("registry/", include("registry.urls")),
    path("disputes/", include("disputes.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("rewards/", include("rewards.urls")),
    path("audit/", include("audit.urls")),  # before stations' /audit/denied/, which it does not shadow
    path("", include("stations.urls")),
]
