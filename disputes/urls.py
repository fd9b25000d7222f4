from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.views import ComingSoonView

app_name = "disputes"

urlpatterns = [
    path("", ComingSoonView.as_view(
        section=_("Public sentiment and disputes"),
        coming=[_("Dispute screening and mediation"), _("Door-to-door visits"), _("Sentiment reports")],
    ), name="index"),
]
