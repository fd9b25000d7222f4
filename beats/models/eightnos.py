"""Eight-nos (八无) status of communities/villages per year, and the incidents that broke one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from beats.choices import EightNo
from common.audit import audited
from stations.jurisdiction import Jurisdiction, ScopedManager


def status_field(item: str) -> str:
    """The boolean column of :class:`EightNosStatus` for an eight-nos item."""
    return f"no_{item}"


@audited
class EightNosStatus(models.Model):
    """A community's standing on each of the eight nos in one year (True: held so far), derived from
    its recorded breaches by ``services.eight_nos_recompute``, and the date it was certified as
    holding all eight (cleared when one is broken)."""

    jurisdiction = Jurisdiction(station="community__station")

    community = models.ForeignKey(
        "beats.Community", verbose_name=_("community / village"), on_delete=models.CASCADE, related_name="eight_nos"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    no_homicide = models.BooleanField(EightNo.HOMICIDE.label, default=True)
    no_gangs = models.BooleanField(EightNo.GANGS.label, default=True)
    no_telecom_fraud = models.BooleanField(EightNo.TELECOM_FRAUD.label, default=True)
    no_drugs = models.BooleanField(EightNo.DRUGS.label, default=True)
    no_cults = models.BooleanField(EightNo.CULTS.label, default=True)
    no_pyramid_selling = models.BooleanField(EightNo.PYRAMID_SELLING.label, default=True)
    no_public_safety_disasters = models.BooleanField(EightNo.PUBLIC_SAFETY_DISASTERS.label, default=True)
    no_mass_incidents = models.BooleanField(EightNo.MASS_INCIDENTS.label, default=True)
    certified_on = models.DateField(_("certified on"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("eight-nos status")
        verbose_name_plural = _("eight-nos statuses")
        ordering = ["-year", "community"]
        constraints = [models.UniqueConstraint(fields=["community", "year"], name="eight_nos_once_per_year")]
        indexes = [models.Index(fields=["year", "community"], name="eight_nos_year_community")]

    def __str__(self) -> str:
        return f"{self.community} {self.year}"

    def holds(self) -> dict[str, bool]:
        return {item: getattr(self, status_field(item)) for item in EightNo.values}


@audited
class EightNosBreach(models.Model):
    """A recorded incident or case that broke one of the eight nos for a community in its year."""

    jurisdiction = Jurisdiction(station="community__station")

    community = models.ForeignKey(
        "beats.Community", verbose_name=_("community / village"), on_delete=models.CASCADE, related_name="breaches"
    )
    item = models.CharField(_("broken"), max_length=30, choices=EightNo.choices)
    occurred_on = models.DateField(_("occurred on"))
    case_number = models.CharField(_("case or incident number"), max_length=40, blank=True)
    description = models.CharField(_("what happened"), max_length=300)
    recorded_by = models.ForeignKey(
        "stations.User", verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("eight-nos breach")
        verbose_name_plural = _("eight-nos breaches")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["community", "occurred_on"], name="breach_community_date")]

    def __str__(self) -> str:
        return f"{self.community} {self.occurred_on}: {self.get_item_display()}"
