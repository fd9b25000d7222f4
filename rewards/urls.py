from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.views import ComingSoonView

app_name = "rewards"

urlpatterns = [
    path("", ComingSoonView.as_view(
        section=_("Rewards"),
        coming=[_("Commendations and the 30 % station share"), _("Wartime awards"), _("Household-head points")],
    ), name="index"),
]
