from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from registry.choices import Gender, PersonCategory, ResidenceRelation
from registry.models.base import SyncedRecord, audited_record, sync_clock_trigger
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited_record
class Person(SyncedRecord):
    """A person of the actual population (实有人口), keyed by national ID (GB 11643)."""

    jurisdiction = Jurisdiction(station="station")

    # No single-column index of its own: (station, id) and (station, updated_at, id) below serve every
    # look-up by station (and the PROTECT check when a station is deleted); a third index only cost writes.
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    national_id = models.CharField(_("national ID"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    hukou_place = models.CharField(_("household-registration place"), max_length=200, blank=True)
    address = models.ForeignKey(
        "registry.Address", verbose_name=_("current address"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="persons", db_index=False,
    )
    category = models.CharField(_("category"), max_length=10, choices=PersonCategory.choices, default=PersonCategory.PERMANENT)
    inflow_date = models.DateField(_("inflow date"), null=True, blank=True)
    inflow_origin = models.CharField(_("came from"), max_length=200, blank=True)
    outflow_date = models.DateField(_("outflow date"), null=True, blank=True)
    outflow_destination = models.CharField(_("left for"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        triggers = [sync_clock_trigger("person")]
        # The explicit grant to read national IDs and phones unmasked outside one's own station (see
        # registry/masking.py): given to a user or a group by an administrator, never implied by a role.
        permissions = [("view_unmasked_person", _("Can see national IDs and phones unmasked"))]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="person_sync"),
            # A station's sync stream and its officers' "recently changed" lists: (station, updated_at, id).
            models.Index(fields=["station", "updated_at", "id"], name="person_station_sync"),
            models.Index(fields=["station", "id"], name="person_station"),
            models.Index(fields=["address"], name="person_address"),
            models.Index(fields=["phone"], name="person_phone", condition=~Q(phone="")),
            GinIndex(name="person_name_trgm", fields=["name"], opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


@audited
class Residence(models.Model):
    """A person living in a house from ``start`` to ``end`` — inflow and outflow for any period."""

    jurisdiction = Jurisdiction(station="house__station")

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="residences")
    house = models.ForeignKey("registry.House", verbose_name=_("house"), on_delete=models.CASCADE, related_name="residences")
    relation = models.CharField(_("relation"), max_length=10, choices=ResidenceRelation.choices, default=ResidenceRelation.FAMILY)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        constraints = [
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="residence_end_after_start"),
        ]
        indexes = [models.Index(fields=["house", "start"]), models.Index(fields=["start"]), models.Index(fields=["end"])]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.house_id} ({self.start}–{self.end or ''})"


class AccessLog(models.Model):
    """Every unmasked read of persons: who, when, which persons, through what, and why.

    Append-only (no audit trigger needed: it *is* the audit), searched by the auditor."""

    jurisdiction = Jurisdiction(station="station", region="region")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey("stations.User", verbose_name=_("user"), on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey("stations.Station", verbose_name=_("user's station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("stations.Region", verbose_name=_("user's region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    person_ids = ArrayField(models.BigIntegerField(), verbose_name=_("persons"))
    path = models.CharField(_("path"), max_length=300)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("personal-data access")
        verbose_name_plural = _("personal-data accesses")
        ordering = ["-at"]
        indexes = [GinIndex(fields=["person_ids"], name="accesslog_persons")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action}"
