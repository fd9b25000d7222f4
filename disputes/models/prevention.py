"""Mass prevention (群防群治) — joint patrols, publicity events, epidemic-control duties with the
officers and household heads who took part — and training in the four skills (三会一懂) with its
attendance. Written only through ``disputes.prevention``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from disputes.choices import PreventionKind, TrainingSkill
from disputes.models.visits import EARLIEST
from stations.jurisdiction import Jurisdiction, ScopedManager


def _check_day(day: object, field: str) -> None:
    if day is not None and day > timezone.localdate():  # type: ignore[operator]
        raise ValidationError({field: _("It cannot be recorded before it happens.")})
    if day is not None and day < EARLIEST:  # type: ignore[operator]
        raise ValidationError({field: _("The date is too early for this register.")})


@audited
class PreventionActivity(models.Model):
    """A mass-prevention activity of a station: what, when, where, and whom it reached."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="prevention_activities",
    )
    beat = models.ForeignKey(
        "beats.Beat",
        verbose_name=_("beat area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PreventionKind.choices)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("mass-prevention activity")
        verbose_name_plural = _("mass-prevention activities")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["station", "held_on"], name="prevention_station_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()}"

    def clean(self) -> None:
        _check_day(self.held_on, "held_on")
        if self.beat_id and self.station_id and self.beat.station_id != self.station_id:
            raise ValidationError({"beat": _("The beat area belongs to another station.")})


@audited
class PreventionParticipant(models.Model):
    """An officer or a household head who took part; a head's part is also entered in the head's
    activity record (``beats.HouseholdHeadActivity``, awaiting the station's confirmation)."""

    jurisdiction = Jurisdiction(station="activity__station")

    activity = models.ForeignKey(
        PreventionActivity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="participants"
    )
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household_head = models.ForeignKey(
        "beats.HouseholdHead",
        verbose_name=_("household head"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    head_activity = models.ForeignKey(
        "beats.HouseholdHeadActivity",
        verbose_name=_("household head's activity record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=(Q(officer__isnull=False) & Q(household_head__isnull=True))
                | (Q(officer__isnull=True) & Q(household_head__isnull=False)),
                name="prevention_participant_one_kind",
            ),
            models.UniqueConstraint(
                fields=["activity", "officer"],
                condition=Q(officer__isnull=False),
                name="prevention_officer_once",
            ),
            models.UniqueConstraint(
                fields=["activity", "household_head"],
                condition=Q(household_head__isnull=False),
                name="prevention_head_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.officer_id or self.household_head_id}"


@audited
class TrainingSession(models.Model):
    """A training session of a station in one of the four skills."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    skill = models.CharField(_("skill"), max_length=20, choices=TrainingSkill.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=2)
    recorded_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["station", "held_on"], name="training_station_day")]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_day(self.held_on, "held_on")


@audited
class TrainingAttendance(models.Model):
    """An officer who attended a session, and whether they passed its check."""

    jurisdiction = Jurisdiction(station="session__station")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="training"
    )
    passed = models.BooleanField(_("passed"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [models.UniqueConstraint(fields=["session", "officer"], name="training_attend_once")]
        indexes = [models.Index(fields=["officer", "session"], name="training_officer")]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.officer_id}"
