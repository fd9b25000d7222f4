"""The monthly summary of dispute work per station, kept current by a Celery task
(``disputes.tasks.refresh_figures``) so that dashboards never aggregate the disputes themselves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class DisputeMonth(models.Model):
    """One station's dispute counts for one calendar month (see ``disputes.figures`` for what each
    count means). ``found``, ``resolved``, ``transferred`` and ``open_*`` count the disputes *found*
    that month; ``criminal`` and ``homicide`` the escalations that *happened* that month."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    found = models.PositiveIntegerField(_("found"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    transferred = models.PositiveIntegerField(_("transferred"), default=0)
    open_low = models.PositiveIntegerField(_("open, low risk"), default=0)
    open_medium = models.PositiveIntegerField(_("open, medium risk"), default=0)
    open_high = models.PositiveIntegerField(_("open, high risk"), default=0)
    criminal = models.PositiveIntegerField(_("escalated to criminal cases"), default=0)
    homicide = models.PositiveIntegerField(_("escalated to homicides"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("monthly dispute figures")
        verbose_name_plural = _("monthly dispute figures")
        ordering = ["station", "month"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="disputemonth_once")]
        indexes = [models.Index(fields=["month"], name="disputemonth_month")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}"
