"""Inspections (清查) of key venues — the security-element records that grow toward billions of rows —
and the weekly inspection plans drawn at random per station.

``Inspection`` is a PostgreSQL table PARTITIONED BY RANGE (``inspected_at``), one partition per month
(local time) plus a default partition; the partition key is part of the primary key, hence Django's
``CompositePrimaryKey("id", "inspected_at")``. Its table, identity column and partitions are created
by SQL (migration ``0003`` and ``registry.inspections.inspection_partitions_ensure``), not by Django's
schema editor. Officers are an array of officer ids: a through table would itself reach billions.
Inspections are not row-audited by trigger: each row *is* a dated, attributed record (``recorded_by``),
and an audit trail of a billions-row table would double it.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Func, Value
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager

INSPECTION_ID_SEQUENCE = "registry_inspection_id_seq"


class Inspection(models.Model):
    """One inspection of one key venue at one time by one or more officers."""

    jurisdiction = Jurisdiction(station="station")

    pk = models.CompositePrimaryKey("id", "inspected_at")
    # An identity column in the database (its sequence is INSPECTION_ID_SEQUENCE); unique in practice,
    # but only (id, inspected_at) can be declared unique on a partitioned table.
    id = models.BigIntegerField(
        _("id"),
        editable=False,
        db_default=Func(
            Value(INSPECTION_ID_SEQUENCE), function="nextval", output_field=models.BigIntegerField()
        ),
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    venue = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("key venue"),
        on_delete=models.PROTECT,
        related_name="inspections",
        db_index=False,
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    officer_ids = ArrayField(models.BigIntegerField(), verbose_name=_("officers"), default=list)
    unannounced = models.BooleanField(_("unannounced"), default=True)
    findings = models.TextField(_("findings"), blank=True)
    rectification = models.TextField(_("rectification demanded"), blank=True)
    deadline = models.DateField(_("rectification deadline"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    # No database constraint and no cascade: users are deactivated, never deleted, and a cascade would
    # scan a billions-row table.
    recorded_by = models.ForeignKey(
        "stations.User",
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        # Indexes are created on the partitioned parent by the migration's SQL (each partition gets its own):
        # (station_id, inspected_at) and (venue_id, inspected_at).

    def __str__(self) -> str:
        return f"{self.venue_id} @ {self.inspected_at:%Y-%m-%d %H:%M}"

    @property
    def rectification_open(self) -> bool:
        return bool(self.rectification) and self.rectified_on is None


@audited
class InspectionPlan(models.Model):
    """A station's inspection plan for one week (Monday ``week_start``), drawn on that Monday at random
    from its key venues with a cryptographic generator, and stored only then — never in advance."""

    jurisdiction = Jurisdiction(station="station")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    week_start = models.DateField(_("week of"))
    drawn_at = models.DateTimeField(_("drawn at"))
    key_venues = models.PositiveIntegerField(_("key venues at the draw"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-week_start", "station_id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "week_start"], name="inspectionplan_once_a_week")
        ]
        indexes = [models.Index(fields=["week_start", "station"], name="inspectionplan_week")]

    def __str__(self) -> str:
        return f"{self.station_id} · {self.week_start}"


@audited
class InspectionPlanItem(models.Model):
    """One venue drawn into a week's plan."""

    jurisdiction = Jurisdiction(station="plan__station")

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    venue = models.ForeignKey(
        "registry.Unit", verbose_name=_("key venue"), on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("planned inspection")
        verbose_name_plural = _("planned inspections")
        constraints = [models.UniqueConstraint(fields=["plan", "venue"], name="inspectionplanitem_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.venue_id}"
