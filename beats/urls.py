from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.views import ComingSoonView

app_name = "beats"

urlpatterns = [
    path("", ComingSoonView.as_view(
        section=_("Community policing"),
        coming=[_("Beat areas and police rooms"), _("Location check-in"), _("Eight-nos communities"), _("Security household heads")],
    ), name="index"),
]
