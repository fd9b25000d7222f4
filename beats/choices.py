from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    URBAN = "urban", _("Urban community")
    RURAL = "rural", _("Rural village")
