"""Door-to-door visits (走访, "a million police into ten million homes"): an officer, optionally with a
security household head, visits a house or a unit; what each registry person of the household was
found to be; and the dispute a visit opened. Visits are written only through
``disputes.visits.visit_record``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from disputes.choices import VisitFinding, VisitPurpose
from stations.jurisdiction import Jurisdiction, ScopedManager

EARLIEST = dt.date(2000, 1, 1)


@audited
class Visit(models.Model):
    """One visit: who visited (officer, household head), where (a house and/or a unit, hence the
    beat and station), when, whom they met, why, and what they learned."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="visits"
    )
    beat = models.ForeignKey(
        "beats.Beat",
        verbose_name=_("beat area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        help_text=_("The beat of the visited address."),
    )
    officer = models.ForeignKey(
        "stations.Officer", verbose_name=_("officer"), on_delete=models.PROTECT, related_name="visits"
    )
    household_head = models.ForeignKey(
        "beats.HouseholdHead",
        verbose_name=_("with household head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"))
    purpose = models.CharField(_("purpose"), max_length=20, choices=VisitPurpose.choices)
    met = models.CharField(_("who was met"), max_length=200, blank=True)
    notes = models.TextField(_("what was learned"), blank=True)
    dispute = models.ForeignKey(
        "disputes.Dispute",
        verbose_name=_("dispute opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        editable=False,
    )
    recorded_by = models.ForeignKey(
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
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["station", "visited_on"], name="visit_station_day"),
            models.Index(fields=["house", "visited_on"], name="visit_house_day"),
            models.Index(fields=["beat", "visited_on"], name="visit_beat_day"),
            models.Index(fields=["officer", "visited_on"], name="visit_officer_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(house__isnull=False) | Q(unit__isnull=False), name="visit_house_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_purpose_display()}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if not self.house_id and not self.unit_id:
            errors["house"] = _("Name the house or the unit visited.")
        if self.visited_on and self.visited_on > timezone.localdate():
            errors["visited_on"] = _("A visit cannot be recorded before it is made.")
        if self.visited_on and self.visited_on < EARLIEST:
            errors["visited_on"] = _("The date is too early for this register.")
        if self.officer_id and self.station_id and self.officer.station_id != self.station_id:
            errors["officer"] = _("The officer must be posted at the station of the visited address.")
        if self.household_head_id and self.station_id and self.household_head.station_id != self.station_id:
            errors["household_head"] = _("The household head serves another station.")
        if errors:
            raise ValidationError(errors)


@audited
class VisitPerson(models.Model):
    """What a visit found about one registry person of the household: confirmed as registered (the
    record is then marked verified), changed (the record waits for correction) or moved out."""

    jurisdiction = Jurisdiction(station="visit__station")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="persons"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("registry person"), on_delete=models.CASCADE, related_name="+"
    )
    finding = models.CharField(_("finding"), max_length=10, choices=VisitFinding.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("person met on a visit")
        verbose_name_plural = _("persons met on visits")
        ordering = ["visit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="visit_person_once"),
        ]
        indexes = [
            models.Index(fields=["person", "finding"], name="visit_person_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_finding_display()}"
