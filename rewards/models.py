"""Commendations and awards (表彰), the household-head points ledger (积分) and per-event rewards (一事一奖)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beats.choices import ActivityKind
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited
class AwardLevel(models.Model):
    """A level of award: first/second/third-class merit, commendation, and levels the province adds."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100, help_text=_("Lower ranks are higher awards."))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("award level")
        verbose_name_plural = _("award levels")
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


@audited
class AwardBatch(models.Model):
    """The awards of one commendation meeting, entered together and confirmed at once.
    ``region`` is the issuing region, or the issuing station's county."""

    jurisdiction = Jurisdiction(station="issuing_station", region="region")

    title = models.CharField(_("title"), max_length=200)
    issuing_region = models.ForeignKey(
        "stations.Region", verbose_name=_("issuing region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_station = models.ForeignKey(
        "stations.Station", verbose_name=_("issuing station"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey("stations.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    meeting_date = models.DateField(_("meeting date"))
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_by = models.ForeignKey(
        "stations.User", verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        "stations.User", verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("award batch")
        verbose_name_plural = _("award batches")
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issuing_region__isnull=True) ^ Q(issuing_station__isnull=True), name="batch_one_issuer"
            ),
        ]

    def __str__(self) -> str:
        return self.title


@audited
class Award(models.Model):
    """A commendation of an officer (individual) or of a station or region's bureau (collective).

    ``station``/``region`` are where the recipient belongs (an officer's posting on the award date),
    set by the services; ``at_station`` says an individual recipient was posted at a station then,
    which is what the 30 % rule counts. ``confirmed`` is false while the award's batch is a draft.
    """

    jurisdiction = Jurisdiction(station="station", region="region")

    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="awards",
    )
    recipient_station = models.ForeignKey(
        "stations.Station", verbose_name=_("station commended"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_region = models.ForeignKey(
        "stations.Region", verbose_name=_("bureau commended"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.ForeignKey(AwardLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="awards")
    issuing_region = models.ForeignKey(
        "stations.Region", verbose_name=_("issuing region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    issuing_station = models.ForeignKey(
        "stations.Station", verbose_name=_("issuing station"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    awarded_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=500)
    wartime = models.BooleanField(_("wartime award"), default=False)
    emergency = models.CharField(_("emergency"), max_length=200, blank=True)
    people = models.PositiveIntegerField(_("people reached"), default=1)
    batch = models.ForeignKey(
        AwardBatch, verbose_name=_("batch"), null=True, blank=True, on_delete=models.CASCADE, related_name="awards"
    )
    confirmed = models.BooleanField(_("confirmed"), default=True)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey("stations.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    at_station = models.BooleanField(_("station officer"), default=False)
    created_by = models.ForeignKey(
        "stations.User", verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(officer__isnull=False, recipient_station__isnull=True, recipient_region__isnull=True)
                    | Q(officer__isnull=True, recipient_station__isnull=False, recipient_region__isnull=True)
                    | Q(officer__isnull=True, recipient_station__isnull=True, recipient_region__isnull=False)
                ),
                name="award_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(issuing_region__isnull=True) ^ Q(issuing_station__isnull=True), name="award_one_issuer"
            ),
        ]
        indexes = [
            models.Index(fields=["awarded_on", "id"], name="award_date"),
            models.Index(fields=["station", "awarded_on"], name="award_station_date"),
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.recipient} ({self.awarded_on})"

    @property
    def is_individual(self) -> bool:
        return self.officer_id is not None

    @property
    def recipient(self) -> object:
        return self.officer or self.recipient_station or self.recipient_region

    @property
    def issuer(self) -> object:
        return self.issuing_station or self.issuing_region


@audited
class PointRule(models.Model):
    """How many points a confirmed household-head activity of a kind earns, from a date (to a date)."""

    kind = models.CharField(_("activity kind"), max_length=20, choices=ActivityKind.choices)
    points = models.PositiveSmallIntegerField(_("points"))
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["kind", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.points}"


class RewardStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


@audited
class EventReward(models.Model):
    """A one-off reward for a household head's notable deed (一事一奖): an officer proposes, the
    station head approves or rejects; approved rewards post their points to the ledger."""

    jurisdiction = Jurisdiction(station="station", region="station__county")

    head = models.ForeignKey(
        "beats.HouseholdHead", verbose_name=_("household head"), on_delete=models.PROTECT, related_name="event_rewards"
    )
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField(_("event date"))
    description = models.CharField(_("what happened"), max_length=500)
    points = models.PositiveSmallIntegerField(_("points"))
    status = models.CharField(_("status"), max_length=10, choices=RewardStatus.choices, default=RewardStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        "stations.User", verbose_name=_("proposed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "stations.User", verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("per-event reward")
        verbose_name_plural = _("per-event rewards")
        ordering = ["-event_date", "-id"]
        indexes = [models.Index(fields=["station", "status"], name="event_reward_station_status")]

    def __str__(self) -> str:
        return f"{self.head}: {self.description[:40]}"


@audited
class PointEntry(models.Model):
    """One row of a household head's points ledger: from one confirmed activity or one approved
    per-event reward, never twice (so posting again changes nothing)."""

    jurisdiction = Jurisdiction(station="station", region="station__county")

    head = models.ForeignKey(
        "beats.HouseholdHead", verbose_name=_("household head"), on_delete=models.PROTECT, related_name="point_entries"
    )
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    activity = models.OneToOneField(
        "beats.HouseholdHeadActivity", verbose_name=_("activity"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="point_entry",
    )
    event_reward = models.OneToOneField(
        EventReward, verbose_name=_("per-event reward"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="point_entry",
    )
    points = models.IntegerField(_("points"))
    entry_date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-entry_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=True) ^ Q(event_reward__isnull=True), name="point_entry_one_source"
            ),
        ]
        indexes = [
            models.Index(fields=["head", "entry_date"], name="point_entry_head_date"),
            models.Index(fields=["station", "entry_date"], name="point_entry_station_date"),
        ]

    def __str__(self) -> str:
        return f"{self.head}: {self.points}"
