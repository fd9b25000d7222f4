"""Location check-ins (定位打卡), the province's check-in policy, and monthly compliance snapshots."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from beats.choices import CheckInFlag, CheckInReview, CheckInSource
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class CheckInPolicy(models.Model):
    """The province's rules for check-ins, in force from the first day of a month until the next
    policy: how many days a month an officer must check in inside the beat, and the thresholds that
    flag a doubtful check-in. Without any policy the defaults of the fields apply."""

    effective_from = models.DateField(_("in force from"), unique=True, help_text=_("The first day of a month."))
    days_required = models.PositiveSmallIntegerField(
        _("days required a month"), default=20, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Days in a month an officer must check in inside the beat (pro rata for part of a month)."),
    )
    max_accuracy_m = models.PositiveIntegerField(
        _("worst accepted accuracy (m)"), default=100, validators=[MinValueValidator(1)]
    )
    max_speed_kmh = models.PositiveIntegerField(
        _("fastest plausible speed (km/h)"), default=150, validators=[MinValueValidator(1)]
    )
    max_jump_km = models.PositiveIntegerField(
        _("farthest plausible move within 12 hours (km)"), default=50, validators=[MinValueValidator(1)]
    )
    max_device_age_minutes = models.PositiveIntegerField(
        _("oldest accepted device timestamp (minutes)"), default=10, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        "stations.User", verbose_name=_("set by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("check-in policy")
        verbose_name_plural = _("check-in policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m}"

    def clean(self) -> None:
        if self.effective_from and self.effective_from.day != 1:
            raise ValidationError({"effective_from": _("A policy comes into force on the first day of a month.")})


@audited
class CheckIn(models.Model):
    """One location check-in of an officer against their beat. Doubtful ones are kept with their
    ``flags``; a check-in ``counts`` toward compliance when it has no flag, or the station accepted it."""

    jurisdiction = Jurisdiction(station="station")

    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="check_ins"
    )
    beat = models.ForeignKey("beats.Beat", verbose_name=_("beat area"), on_delete=models.PROTECT, related_name="check_ins")
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="check_ins"
    )
    at = models.DateTimeField(_("received at"))
    day = models.DateField(_("day"), help_text=_("Local date of the check-in."))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    accuracy = models.FloatField(_("accuracy (m)"), validators=[MinValueValidator(0)])
    inside_beat = models.BooleanField(_("inside the beat"))
    flags = ArrayField(
        models.CharField(max_length=20, choices=CheckInFlag.choices), verbose_name=_("flags"), default=list, blank=True
    )
    distance_from_previous_m = models.FloatField(_("distance from the previous check-in (m)"), null=True, blank=True)
    speed_kmh = models.FloatField(_("speed since the previous check-in (km/h)"), null=True, blank=True)
    counts = models.BooleanField(_("counts toward compliance"))
    source = models.CharField(_("source"), max_length=10, choices=CheckInSource.choices, default=CheckInSource.API)
    review = models.CharField(_("review"), max_length=10, choices=CheckInReview.choices, blank=True, default="")
    reviewed_by = models.ForeignKey(
        "stations.User", verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["officer", "at"], name="checkin_officer_at"),
            models.Index(fields=["station", "day"], name="checkin_station_day"),
            models.Index(fields=["beat", "at"], name="checkin_beat_at"),
            models.Index(fields=["day", "officer"], name="checkin_day_officer"),
            models.Index(fields=["-at", "-id"], name="checkin_newest"),  # the newest-first list pages
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} @ {self.at:%Y-%m-%d %H:%M}"


@audited
class MonthlyCompliance(models.Model):
    """An officer's check-in compliance for a month, as computed by the nightly task (what the
    assessment reads): days with a counting check-in inside the beat against the days required."""

    jurisdiction = Jurisdiction(station="station")

    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), on_delete=models.CASCADE, related_name="monthly_compliance"
    )
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+")
    beat = models.ForeignKey(
        "beats.Beat", verbose_name=_("beat area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    days_checked = models.PositiveSmallIntegerField(_("days checked in"))
    days_required = models.PositiveSmallIntegerField(_("days required"))
    met = models.BooleanField(_("requirement met"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("monthly check-in compliance")
        verbose_name_plural = _("monthly check-in compliance")
        ordering = ["-month", "officer"]
        constraints = [models.UniqueConstraint(fields=["officer", "month"], name="compliance_once_per_officer_month")]
        indexes = [models.Index(fields=["month", "station"], name="compliance_month_station")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.month:%Y-%m}: {self.days_checked}/{self.days_required}"
