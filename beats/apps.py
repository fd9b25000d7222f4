from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeatsConfig(AppConfig):
    name = "beats"
    verbose_name = _("Community policing")
