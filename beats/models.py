"""Community policing: beat areas and the communities/villages they cover.

(More models — police rooms, officer assignments, check-ins, eight-nos status, household heads —
are added by the beats issue.)"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from beats.choices import AreaKind
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class Beat(models.Model):
    """A beat area (警务区) with its boundary as a GeoJSON Polygon or MultiPolygon (lon, lat order)."""

    jurisdiction = Jurisdiction(station="station")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="beats")
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.URBAN)
    boundary = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon."))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("beat area")
        verbose_name_plural = _("beat areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited
class Community(models.Model):
    """A community (社区) or village (村) and the beat that covers it."""

    jurisdiction = Jurisdiction(station="station")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.URBAN)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="communities"
    )
    beat = models.ForeignKey(
        Beat, verbose_name=_("beat area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="communities"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("community / village")
        verbose_name_plural = _("communities / villages")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
