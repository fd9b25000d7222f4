from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import KEY_TRADES, HouseUse, UnitKind
from registry.models.base import SyncedRecord, audited_record, sync_clock_trigger
from stations.jurisdiction import Jurisdiction, ScopedManager


@audited_record
class House(SyncedRecord):
    """An actual house (实有房屋) at a standard address (one house per address)."""

    jurisdiction = Jurisdiction(station="station")

    address = models.OneToOneField("registry.Address", verbose_name=_("address"), on_delete=models.PROTECT, related_name="house")
    use = models.CharField(_("use"), max_length=10, choices=HouseUse.choices, default=HouseUse.RESIDENCE)
    owner_national_id = models.CharField(_("owner's national ID"), max_length=18, blank=True)
    owner_name = models.CharField(_("owner"), max_length=50, blank=True)
    owner_phone = models.CharField(_("owner's phone"), max_length=20, blank=True)
    is_rented = models.BooleanField(_("rented out"), default=False)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        triggers = [sync_clock_trigger("house")]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="house_sync"),
            models.Index(fields=["station", "id"], name="house_station"),
            models.Index(fields=["owner_national_id"], name="house_owner", condition=~Q(owner_national_id="")),
        ]

    def __str__(self) -> str:
        return str(self.address)


@audited_record
class Unit(SyncedRecord):
    """An actual unit (实有单位): a business or organisation, keyed by its unified social credit code.

    ``trade_details`` holds the fields its kind asks for (rooms of a hotel, seats of an internet café,
    the licence of a logistics or entertainment business)."""

    jurisdiction = Jurisdiction(station="station")

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.OTHER)
    address = models.ForeignKey(
        "registry.Address", verbose_name=_("address"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="units", db_index=False,
    )
    legal_rep_name = models.CharField(_("legal representative"), max_length=50, blank=True)
    legal_rep_national_id = models.CharField(_("legal representative's national ID"), max_length=18, blank=True)
    security_contact = models.CharField(_("security contact"), max_length=50, blank=True)
    security_phone = models.CharField(_("security contact's phone"), max_length=20, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True, validators=[MinValueValidator(0)])
    trade_details = models.JSONField(_("trade details"), default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        triggers = [sync_clock_trigger("unit")]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="unit_sync"),
            models.Index(fields=["station", "id"], name="unit_station"),
            models.Index(fields=["station", "kind"], name="unit_key_venues", condition=Q(kind__in=[k.value for k in KEY_TRADES])),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_key_venue(self) -> bool:
        return self.kind in KEY_TRADES
