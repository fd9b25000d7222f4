from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.views import ComingSoonView

app_name = "registry"

urlpatterns = [
    path("", ComingSoonView.as_view(
        section=_("Registry"),
        coming=[_("Standard addresses"), _("Actual population, units and houses"), _("Data-quality rates"), _("Bulk import")],
    ), name="index"),
]
