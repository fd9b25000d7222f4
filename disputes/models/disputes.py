"""Disputes (矛盾纠纷): the record, its parties, its timeline of transitions, mediation sessions and
follow-up visits. States change only through ``disputes.services.dispute_transition``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from disputes.choices import (
    CLOSED_STATES,
    OPEN_STATES,
    DisputeKind,
    DisputeState,
    FollowUpOutcome,
    FollowUpStatus,
    FoundBy,
    MediationMethod,
    MediationOutcome,
    PartyRole,
    RiskLevel,
)
from stations.jurisdiction import Jurisdiction, ScopedManager

# Dates before this are typing errors, not disputes of this register.
EARLIEST = dt.date(2000, 1, 1)

# Plain strings in constraints and index conditions keep the migrations free of enum references.
_OPEN = [str(state) for state in OPEN_STATES]
_CLOSED = [str(state) for state in CLOSED_STATES]
_PENDING = str(FollowUpStatus.PENDING)
_DONE = str(FollowUpStatus.DONE)


@audited
class Dispute(models.Model):
    """A dispute found by a station: where, what kind, how found, how risky, who is responsible, and
    where it stands in the workflow (``state``; see ``disputes.transitions``)."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="disputes"
    )
    beat = models.ForeignKey(
        "beats.Beat",
        verbose_name=_("beat area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
    )
    community = models.ForeignKey(
        "beats.Community",
        verbose_name=_("community / village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
    )
    title = models.CharField(_("summary"), max_length=200, help_text=_("A few words: who and what about."))
    kind = models.CharField(_("kind"), max_length=20, choices=DisputeKind.choices)
    found_by = models.CharField(_("how found"), max_length=20, choices=FoundBy.choices)
    risk = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    account = models.TextField(_("account"), blank=True, help_text=_("A short account of the dispute."))
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    found_on = models.DateField(_("found on"))
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("responsible officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    state = models.CharField(
        _("state"),
        max_length=30,
        choices=DisputeState.choices,
        default=DisputeState.SCREENING,
        editable=False,
    )
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When it was resolved, escalated or transferred; empty while open."),
    )
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
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["station", "state", "last_action_at"], name="dispute_station_state"),
            models.Index(fields=["station", "found_on"], name="dispute_station_found"),
            models.Index(fields=["station", "closed_on"], name="dispute_station_closed"),
            models.Index(fields=["officer", "state"], name="dispute_officer_state"),
            models.Index(
                fields=["risk", "last_action_at"], name="dispute_open_by_risk", condition=Q(state__in=_OPEN)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__in=_OPEN) & Q(closed_on__isnull=True))
                | (Q(state__in=_CLOSED) & Q(closed_on__isnull=False)),
                name="dispute_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__lte=models.F("found_on")),
                name="dispute_reported_before_found",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.found_on and self.found_on > today:
            errors["found_on"] = _("A dispute cannot be found in the future.")
        if self.found_on and self.found_on < EARLIEST:
            errors["found_on"] = _("The date is too early for this register.")
        if self.found_on and self.closed_on and self.found_on > self.closed_on:
            errors["found_on"] = _("It cannot be found after it was closed.")
        if self.reported_on and self.reported_on < EARLIEST:
            errors["reported_on"] = _("The date is too early for this register.")
        if self.reported_on and self.found_on and self.reported_on > self.found_on:
            errors["reported_on"] = _("It cannot be reported after it was found.")
        station_id = self.station_id
        if self.beat_id and station_id and self.beat.station_id != station_id:
            errors["beat"] = _("The beat area belongs to another station.")
        if self.community_id and station_id and self.community.station_id != station_id:
            errors["community"] = _("The community belongs to another station.")
        if self.community_id and self.beat_id and self.community.beat_id not in (None, self.beat_id):
            errors["community"] = _("The community lies in another beat area.")
        if self.officer_id and station_id and self.officer.station_id != station_id:
            errors["officer"] = _("The responsible officer must be posted at the dispute's station.")
        if errors:
            raise ValidationError(errors)


@audited
class Party(models.Model):
    """A party to a dispute: a registry person where known, otherwise a name and a phone."""

    jurisdiction = Jurisdiction(station="dispute__station")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("role"), max_length=10, choices=PartyRole.choices, default=PartyRole.FIRST)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("registry person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispute_parties",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["dispute", "role", "id"]

    def __str__(self) -> str:
        return self.name


@audited
class Transition(models.Model):
    """One step of a dispute's workflow: from which state to which, when, by whom, and why. The
    first row of every dispute (``from_state`` empty) records it entering screening."""

    jurisdiction = Jurisdiction(station="dispute__station")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("from"), max_length=30, choices=DisputeState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=30, choices=DisputeState.choices)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
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
        verbose_name = _("dispute transition")
        verbose_name_plural = _("dispute transitions")
        ordering = ["dispute", "at", "id"]
        indexes = [models.Index(fields=["dispute", "at"], name="transition_dispute_at")]

    def __str__(self) -> str:
        return f"{self.get_from_state_display() or '—'} → {self.get_to_state_display()}"


@audited
class MediationSession(models.Model):
    """A mediation session: when, who mediated, how, and what came of it."""

    jurisdiction = Jurisdiction(station="dispute__station")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("held on"))
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("mediating officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediators = models.CharField(
        _("mediators"),
        max_length=200,
        blank=True,
        help_text=_("Who else mediated: household head, committee members, village cadres …"),
    )
    method = models.CharField(_("method"), max_length=20, choices=MediationMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=MediationOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["dispute", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_method_display()}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("A session cannot be recorded before it is held.")})
        if self.held_on and self.dispute_id and self.held_on < self.dispute.found_on:
            raise ValidationError({"held_on": _("A session cannot be held before the dispute was found.")})


@audited
class FollowUp(models.Model):
    """A follow-up visit (回访) after a dispute is resolved: due on a date, then done with an outcome."""

    jurisdiction = Jurisdiction(station="dispute__station")

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("dispute"), on_delete=models.CASCADE, related_name="followups"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    officer = models.ForeignKey(
        "stations.Officer",
        verbose_name=_("visiting officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=FollowUpOutcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["dispute", "due_on", "id"]
        indexes = [
            models.Index(fields=["due_on"], name="followup_pending_due", condition=Q(status=_PENDING)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=_DONE) | (Q(done_on__isnull=False) & ~Q(outcome="")),
                name="followup_done_has_date_and_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.due_on} ({self.get_status_display()})"

    def clean(self) -> None:
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": _("A visit cannot be recorded before it is made.")})
