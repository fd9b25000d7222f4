"""Beat areas (警务区), their dedicated officers over time, and the communities/villages they cover."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beats.choices import AreaKind
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class Beat(models.Model):
    """A beat area (警务区) with its boundary as a GeoJSON Polygon or MultiPolygon (lon, lat order).

    ``officer`` and ``officer_full_time`` are the current dedicated officer (社区民警 in a community,
    驻村民警 in a village), kept equal to the open :class:`BeatAssignment` by
    ``services.beat_assign_officer``; the assignments are the history."""

    jurisdiction = Jurisdiction(station="station")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="beats")
    kind = models.CharField(_("kind"), max_length=10, choices=AreaKind.choices, default=AreaKind.URBAN)
    boundary = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon."))
    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("dedicated officer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="beats",
    )
    officer_full_time = models.BooleanField(
        _("full-time on the beat"), default=False, help_text=_("Whether the dedicated officer works the beat full-time.")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("beat area")
        verbose_name_plural = _("beat areas")
        ordering = ["code"]
        indexes = [models.Index(fields=["station", "code"], name="beat_station_code")]

    def __str__(self) -> str:
        return self.name


@audited
class BeatAssignment(models.Model):
    """An officer dedicated to a beat from ``start`` to ``end`` (open-ended while current)."""

    jurisdiction = Jurisdiction(station="beat__station")

    beat = models.ForeignKey(Beat, verbose_name=_("beat area"), on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="beat_assignments"
    )
    full_time = models.BooleanField(_("full-time on the beat"), default=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("beat assignment")
        verbose_name_plural = _("beat assignments")
        ordering = ["beat", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="beat_assignment_end_after_start"
            ),
            models.UniqueConstraint(fields=["beat"], condition=Q(end__isnull=True), name="beat_assignment_one_open_per_beat"),
            models.UniqueConstraint(
                fields=["officer"], condition=Q(end__isnull=True), name="beat_assignment_one_open_per_officer"
            ),
        ]
        indexes = [models.Index(fields=["start", "end"], name="beat_assignment_period")]

    def __str__(self) -> str:
        return f"{self.officer} → {self.beat} ({self.start}–{self.end or ''})"


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
