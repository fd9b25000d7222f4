from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.views import ComingSoonView

app_name = "evaluation"

urlpatterns = [
    path("", ComingSoonView.as_view(
        section=_("Evaluation"),
        coming=[_("System-generated ledgers"), _("The one-table assessment"), _("Province dashboards")],
    ), name="index"),
]
