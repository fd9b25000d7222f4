"""Security household heads (治安户长) and the activities they report."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from beats.choices import ActivityKind, ActivityStatus, HeadSource
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


def validate_national_id(value: str) -> None:
    """A national ID (GB 11643) by python-stdnum's ``cn.ric``: check character, birth date, region."""
    try:
        ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(_("Not a valid national ID number."), code="invalid") from exc


@audited
class HouseholdHead(models.Model):
    """A security household head: who (by national ID, which links to the registry person where one
    exists), the community/village served, who appointed them and when, and whether still active.
    ``station`` is the community's, set by the services."""

    jurisdiction = Jurisdiction(station="station")

    national_id = models.CharField(_("national ID"), max_length=18, validators=[validate_national_id])
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    community = models.ForeignKey(
        "beats.Community", verbose_name=_("community / village served"), on_delete=models.PROTECT,
        related_name="household_heads",
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="household_heads"
    )
    source = models.CharField(_("chosen from"), max_length=20, choices=HeadSource.choices, default=HeadSource.RESIDENT)
    appointed_by = models.ForeignKey(
        "stations.Officer", verbose_name=_("appointed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    appointed_on = models.DateField(_("appointed on"))
    is_active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("security household head")
        verbose_name_plural = _("security household heads")
        ordering = ["station", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"], condition=Q(is_active=True), name="household_head_active_once"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "id"], name="household_head_station"),
            models.Index(fields=["national_id"], name="household_head_national_id"),
        ]

    def __str__(self) -> str:
        return self.name


@audited
class HouseholdHeadActivity(models.Model):
    """An activity a household head reports (joint patrol, information report …), confirmed or
    rejected by the station. Confirmed activities are what points and per-event rewards count."""

    jurisdiction = Jurisdiction(station="station")

    head = models.ForeignKey(
        HouseholdHead, verbose_name=_("household head"), on_delete=models.PROTECT, related_name="activities"
    )
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    occurred_on = models.DateField(_("occurred on"))
    description = models.CharField(_("description"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.REPORTED
    )
    reported_by = models.ForeignKey(
        "stations.User", verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "stations.User", verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("household-head activity")
        verbose_name_plural = _("household-head activities")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["station", "status"], name="activity_station_status"),
            models.Index(fields=["head", "occurred_on"], name="activity_head_date"),
        ]

    def __str__(self) -> str:
        return f"{self.head} {self.occurred_on}: {self.get_kind_display()}"
