"""Sentiment reports (社情民意): a concern an officer or a security household head reports, and the
station head's triage of it — handle locally, pass to another department, report up to the county
or city — every step dated and attributed. States change only through
``disputes.sentiment.sentiment_triage``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from disputes.choices import ReporterKind, SentimentCategory, SentimentState, Urgency
from disputes.models.visits import EARLIEST
from stations.jurisdiction import Jurisdiction, ScopedManager

_CLOSED = str(SentimentState.CLOSED)
_PENDING = str(SentimentState.PENDING)
_URGENT = str(Urgency.URGENT)


@audited
class SentimentReport(models.Model):
    """A sentiment report: who reported it, what about, how urgent, where, who is involved, the
    account, and where it stands in the triage (``state``)."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="sentiment_reports",
    )
    beat = models.ForeignKey(
        "beats.Beat",
        verbose_name=_("beat area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sentiment_reports",
    )
    community = models.ForeignKey(
        "beats.Community",
        verbose_name=_("community / village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sentiment_reports",
    )
    reporter_kind = models.CharField(
        _("reported by"), max_length=20, choices=ReporterKind.choices, default=ReporterKind.OFFICER
    )
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sentiment_reports",
        help_text=_("The officer who reported it, or who took it from the household head."),
    )
    household_head = models.ForeignKey(
        "beats.HouseholdHead",
        verbose_name=_("household head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sentiment_reports",
    )
    category = models.CharField(_("category"), max_length=20, choices=SentimentCategory.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    title = models.CharField(_("summary"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    people = models.CharField(_("people involved"), max_length=200, blank=True)
    people_count = models.PositiveIntegerField(_("number of people involved"), null=True, blank=True)
    account = models.TextField(_("account"))
    reported_on = models.DateField(_("reported on"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=SentimentState.choices,
        default=SentimentState.PENDING,
        editable=False,
    )
    department = models.CharField(
        _("department"),
        max_length=100,
        blank=True,
        editable=False,
        help_text=_("The department it was passed to."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    last_action_at = models.DateTimeField(_("last action"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("sentiment report")
        verbose_name_plural = _("sentiment reports")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["station", "state", "last_action_at"], name="sentiment_station_state"),
            models.Index(fields=["station", "reported_on"], name="sentiment_station_day"),
            models.Index(
                fields=["station", "last_action_at"],
                name="sentiment_urgent_open",
                condition=Q(urgency=_URGENT) & ~Q(state=_CLOSED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state=_CLOSED) & Q(closed_on__isnull=False))
                | (~Q(state=_CLOSED) & Q(closed_on__isnull=True)),
                name="sentiment_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(officer__isnull=False) | Q(household_head__isnull=False),
                name="sentiment_has_reporter",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != SentimentState.CLOSED

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.reported_on and self.reported_on > timezone.localdate():
            errors["reported_on"] = _("A report cannot be dated in the future.")
        if self.reported_on and self.reported_on < EARLIEST:
            errors["reported_on"] = _("The date is too early for this register.")
        station_id = self.station_id
        if self.beat_id and station_id and self.beat.station_id != station_id:
            errors["beat"] = _("The beat area belongs to another station.")
        if self.community_id and station_id and self.community.station_id != station_id:
            errors["community"] = _("The community belongs to another station.")
        if self.officer_id and station_id and self.officer.station_id != station_id:
            errors["officer"] = _("The officer must be posted at the report's station.")
        if self.household_head_id and station_id and self.household_head.station_id != station_id:
            errors["household_head"] = _("The household head serves another station.")
        if self.reporter_kind == ReporterKind.HOUSEHOLD_HEAD and not self.household_head_id:
            errors["household_head"] = _("Name the household head who reported it.")
        if not self.officer_id and not self.household_head_id:
            errors["officer"] = _("Name who reported it.")
        if errors:
            raise ValidationError(errors)


@audited
class SentimentStep(models.Model):
    """One step of a report's triage: from which state to which, when, by whom, why (and to which
    department). The first row (``from_state`` empty) records it being reported."""

    jurisdiction = Jurisdiction(station="report__station")

    report = models.ForeignKey(
        SentimentReport, verbose_name=_("sentiment report"), on_delete=models.CASCADE, related_name="steps"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=SentimentState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=SentimentState.choices)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    user = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("sentiment report step")
        verbose_name_plural = _("sentiment report steps")
        ordering = ["report", "at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="sentiment_step_report_at")]

    def __str__(self) -> str:
        return f"{self.get_from_state_display() or '—'} → {self.get_to_state_display()}"
