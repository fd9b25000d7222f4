"""Police rooms (警务室): an urban community room or a rural village room serving a beat."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from beats.choices import AreaKind
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class PoliceRoom(models.Model):
    """A police room. ``station`` is always the station of the beat it serves (set by the services,
    never by a client). A room may be named after its officer (e.g. "老马警务室"): ``named_after``."""

    jurisdiction = Jurisdiction(station="station")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.URBAN)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="police_rooms"
    )
    beat = models.ForeignKey(
        "beats.Beat", verbose_name=_("beat area served"), on_delete=models.PROTECT, related_name="rooms"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    named_after = models.ForeignKey(
        "stations.Officer", verbose_name=_("named after officer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="rooms_named_after",
    )
    is_active = models.BooleanField(_("open"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("police room")
        verbose_name_plural = _("police rooms")
        ordering = ["code"]
        indexes = [models.Index(fields=["station", "kind"], name="room_station_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_named_after_officer(self) -> bool:
        return self.named_after_id is not None
