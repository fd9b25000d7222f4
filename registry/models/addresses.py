from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import AddressLevel
from registry.models.base import SyncedRecord, audited_record, sync_clock_trigger
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited_record
class Address(SyncedRecord):
    """A standard address (标准地址): a node of the hierarchy below the county — township/street →
    village/community → road → house number → building → unit → room — with a stable code, its
    canonical full text, and the beat and station it belongs to."""

    jurisdiction = Jurisdiction(station="station")

    code = models.CharField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=AddressLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    county = models.ForeignKey("stations.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    beat = models.ForeignKey(
        "beats.Beat", verbose_name=_("beat area"), null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("This level's own part, e.g. '3号楼'."))
    full_text = models.CharField(_("full address"), max_length=300)
    pinyin = models.CharField(_("pinyin"), max_length=600, blank=True, help_text=_("Toneless pinyin of the full address, for tolerant matching."))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        triggers = [sync_clock_trigger("address")]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="address_sync"),
            models.Index(fields=["station", "id"], name="address_station"),
            GinIndex(name="address_text_trgm", fields=["full_text"], opclasses=["gin_trgm_ops"]),
            GinIndex(name="address_pinyin_trgm", fields=["pinyin"], opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.full_text
